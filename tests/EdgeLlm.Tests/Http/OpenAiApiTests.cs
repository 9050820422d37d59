using System.Text.Json;

namespace EdgeLlm.Tests.Http;

/// <summary>OpenAI's Chat Completions over real HTTP on the in-process daemon.</summary>
public sealed class OpenAiApiTests
{
    private const string Tools = """
        [{"type":"function","function":{"name":"HassTurnOn","description":"Turns on a device","parameters":{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}}}]
        """;

    [Fact]
    public async Task Models_lists_the_loaded_model()
    {
        await using var d = await HttpDaemon.StartAsync();
        var models = HttpDaemon.Parse((await d.GetAsync("/v1/models")).Body);
        Assert.Equal("list", models.GetProperty("object").GetString());
        Assert.Equal(HttpDaemon.ModelName, Assert.Single(models.GetProperty("data").EnumerateArray()).GetProperty("id").GetString());
    }

    [Fact]
    public async Task Completion_has_usage_and_finish_reason()
    {
        await using var d = await HttpDaemon.StartAsync();
        var (status, body) = await d.PostAsync("/v1/chat/completions", """{"model":"stories","messages":[{"role":"user","content":[{"type":"text","text":"Once upon"}]}],"max_tokens":4,"temperature":0,"stop":"zzz"}""");
        Assert.Equal(200, status);
        Assert.Equal("chat.completion", body.GetProperty("object").GetString());
        var choice = Assert.Single(body.GetProperty("choices").EnumerateArray());
        Assert.Equal("length", choice.GetProperty("finish_reason").GetString());
        Assert.Equal(4, body.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        var usage = body.GetProperty("usage");
        Assert.Equal(usage.GetProperty("prompt_tokens").GetInt32() + 4, usage.GetProperty("total_tokens").GetInt32());
    }

    [Fact]
    public async Task Streaming_is_server_sent_events_ending_with_done()
    {
        await using var d = await HttpDaemon.StartAsync();
        d.Engine.Say("Hello there, friend.");
        using var response = await d.Client.PostAsync("/v1/chat/completions", new StringContent(
            """{"model":"stories","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Hi"}]}"""));
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        string text = await response.Content.ReadAsStringAsync();
        var events = text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("data: [DONE]", events[^1]);
        var chunks = events[..^1].Select(e => HttpDaemon.Parse(e["data: ".Length..])).ToList();
        string content = string.Concat(chunks.Where(c => c.GetProperty("choices").GetArrayLength() > 0)
            .Select(c => c.GetProperty("choices")[0].GetProperty("delta").TryGetProperty("content", out var t) ? t.GetString() : ""));
        Assert.Equal("Hello there, friend.", content);
        Assert.Equal("stop", chunks[^2].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.True(chunks[^1].GetProperty("usage").GetProperty("completion_tokens").GetInt32() > 0);
    }

    [Fact]
    public async Task A_scripted_call_becomes_tool_calls_with_string_arguments_and_an_id()
    {
        await using var d = await HttpDaemon.StartAsync(template: "chatml");
        d.Engine.Say("<tool_call>\n{\"name\": \"HassTurnOn\", \"arguments\": {\"name\": \"kitchen light\"}}\n</tool_call>");
        var (status, body) = await d.PostAsync("/v1/chat/completions",
            $$"""{"model":"stories","tools":{{Tools}},"tool_choice":"auto","messages":[{"role":"user","content":"Turn on the kitchen light"}]}""");
        Assert.Equal(200, status);
        var choice = body.GetProperty("choices")[0];
        Assert.Equal("tool_calls", choice.GetProperty("finish_reason").GetString());
        Assert.Equal(JsonValueKind.Null, choice.GetProperty("message").GetProperty("content").ValueKind);
        var call = Assert.Single(choice.GetProperty("message").GetProperty("tool_calls").EnumerateArray());
        Assert.StartsWith("call_", call.GetProperty("id").GetString());
        Assert.Equal("HassTurnOn", call.GetProperty("function").GetProperty("name").GetString());
        Assert.Equal("kitchen light", HttpDaemon.Parse(call.GetProperty("function").GetProperty("arguments").GetString()!).GetProperty("name").GetString());
    }

    [Theory]
    [InlineData("""{"model":"gpt-4o","messages":[{"role":"user","content":"x"}]}""", 404, "model_not_found")]
    [InlineData("""{"model":"stories","messages":[]}""", 400, "bad_request")]
    [InlineData("""{"model":"stories","messages":[{"role":"user","content":"x"}],"tool_choice":"required"}""", 400, "bad_request")]
    [InlineData("""{"model":"stories","messages":[{"role":"user","content":"x"}],"response_format":{"type":"yaml"}}""", 400, "bad_request")]
    [InlineData("""{"model":"stories","messages":[{"role":"user","content":"x"}],"max_tokens":"many"}""", 400, "invalid_request")]
    [InlineData("""{"model":"stories","messages":""", 400, "invalid_request")]
    public async Task Errors_are_shaped_as_openai_errors(string json, int expectedStatus, string code)
    {
        await using var d = await HttpDaemon.StartAsync();
        var (status, body) = await d.PostAsync("/v1/chat/completions", json);
        Assert.Equal(expectedStatus, status);
        var error = body.GetProperty("error");
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Json_schema_response_format_is_accepted()
    {
        await using var d = await HttpDaemon.StartAsync();
        d.Engine.Say("{\"on\": true}");
        var (status, body) = await d.PostAsync("/v1/chat/completions",
            """{"model":"stories","messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_schema","json_schema":{"name":"s","schema":{"type":"object","properties":{"on":{"type":"boolean"}}}}}}""");
        Assert.Equal(200, status);
        Assert.Equal("{\"on\": true}", body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
    }
}
