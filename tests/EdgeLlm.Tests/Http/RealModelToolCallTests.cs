using System.Text.Json;

namespace EdgeLlm.Tests.Http;

/// <summary>
/// Tool calls on real fixture models of every family, nothing scripted. Random weights never choose to call a tool, so
/// only the constrained path can make these calls well-formed: a required call must name an offered function, with
/// arguments valid against its schema, whatever the seed.
/// </summary>
public sealed class RealModelToolCallTests
{
    private const string Tools = """
        [{"type":"function","function":{"name":"HassTurnOn","description":"Turns on a device","parameters":{"type":"object","properties":{"area":{"enum":["kitchen","hall"]},"domain":{"enum":["light","switch"]}},"required":["area","domain"]}}},
         {"type":"function","function":{"name":"HassTurnOff","description":"Turns off a device","parameters":{"type":"object","properties":{"area":{"enum":["kitchen","hall"]}},"required":["area"]}}}]
        """;

    public static TheoryData<string, string, int> Families() => new()
    {
        // stories260K's 512-token context is too short for the Hermes tool prompt in its 512-token vocabulary.
        { "stories260K.gguf", "mistral", 2 },    // [TOOL_CALLS] [...]
        { "qwen2-tiny-f16.gguf", "auto", 3 },    // Qwen2.5, Hermes format: <tool_call> is one token of its vocabulary
        { "qwen3-tiny-f16.gguf", "auto", 4 },
        { "llama3-tiny-f16.gguf", "auto", 5 },   // bare {"name":…,"parameters":…}
    };

    [Theory]
    [MemberData(nameof(Families))]
    public async Task A_required_call_is_a_valid_call_of_an_offered_function(string model, string template, int seed)
    {
        await using var d = await HttpDaemon.StartAsync(template: template, modelFile: model, configure: c => c with { MaxTokens = 160 });
        var (status, body) = await d.PostAsync("/v1/chat/completions", $$$"""
            {"model":"stories","messages":[{"role":"user","content":"Turn on the kitchen light"}],"tools":{{{Tools}}},
             "tool_choice":"required","parallel_tool_calls":false,"temperature":1.0,"seed":{{{seed}}},"max_tokens":160}
            """);
        Assert.True(status == 200, body.ToString());
        var choice = body.GetProperty("choices")[0];
        Assert.True(choice.GetProperty("finish_reason").GetString() == "tool_calls", body.ToString());
        var call = Assert.Single(choice.GetProperty("message").GetProperty("tool_calls").EnumerateArray()).GetProperty("function");
        using var arguments = JsonDocument.Parse(call.GetProperty("arguments").GetString()!);
        var area = arguments.RootElement.GetProperty("area").GetString();
        Assert.Contains(area, new[] { "kitchen", "hall" });
        switch (call.GetProperty("name").GetString())
        {
            case "HassTurnOn":
                Assert.Contains(arguments.RootElement.GetProperty("domain").GetString(), new[] { "light", "switch" });
                Assert.Equal(2, arguments.RootElement.EnumerateObject().Count());
                break;
            case "HassTurnOff":
                Assert.Single(arguments.RootElement.EnumerateObject());
                break;
            default:
                Assert.Fail($"called {call.GetProperty("name")}, which is not offered");
                break;
        }
    }

    [Theory]
    [MemberData(nameof(Families))]
    public async Task A_named_function_is_the_one_called(string model, string template, int seed)
    {
        await using var d = await HttpDaemon.StartAsync(template: template, modelFile: model, configure: c => c with { MaxTokens = 160 });
        var (status, body) = await d.PostAsync("/v1/chat/completions", $$$"""
            {"model":"stories","messages":[{"role":"user","content":"Turn off the hall light"}],"tools":{{{Tools}}},
             "tool_choice":{"type":"function","function":{"name":"HassTurnOff"}},"parallel_tool_calls":false,"temperature":1.0,"seed":{{{seed}}},"max_tokens":160}
            """);
        Assert.True(status == 200, body.ToString());
        Assert.True(body.GetProperty("choices")[0].GetProperty("message").TryGetProperty("tool_calls", out var calls), body.ToString());
        var call = Assert.Single(calls.EnumerateArray());
        Assert.Equal("HassTurnOff", call.GetProperty("function").GetProperty("name").GetString());
    }

    [Theory]
    [MemberData(nameof(Families))]
    public async Task Free_choice_on_ollamas_chat_answers_text_or_valid_calls_never_a_broken_call(string model, string template, int seed)
    {
        await using var d = await HttpDaemon.StartAsync(template: template, modelFile: model, configure: c => c with { MaxTokens = 60 });
        var (status, body) = await d.PostAsync("/api/chat", $$$"""
            {"model":"stories","stream":false,"messages":[{"role":"user","content":"Turn on the kitchen light"}],"tools":{{{Tools}}},
             "options":{"temperature":1.0,"seed":{{{seed}}},"num_predict":60}}
            """);
        Assert.True(status == 200, body.ToString());
        var message = body.GetProperty("message");
        if (message.TryGetProperty("tool_calls", out var calls))
            foreach (var call in calls.EnumerateArray())
                Assert.Equal(JsonValueKind.Object, call.GetProperty("function").GetProperty("arguments").ValueKind);
        Assert.False(message.GetProperty("content").GetString()!.Contains("<tool_call>", StringComparison.Ordinal), "a started call is never left as text");
    }
}
