using System.Text.Json;
using EdgeLlm.Tests.Daemon;

namespace EdgeLlm.Tests.Http;

/// <summary>Ollama's API over real HTTP on the in-process daemon (stories260K, scripted where the content matters).</summary>
public sealed class OllamaApiTests
{
    [Fact]
    public async Task Root_version_tags_ps_and_show_describe_the_loaded_model()
    {
        await using var d = await HttpDaemon.StartAsync();
        var (status, body) = await d.GetAsync("/");
        Assert.Equal((200, "Ollama is running"), (status, body));
        using (var head = await d.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/"))) Assert.Equal(200, (int)head.StatusCode);

        var version = HttpDaemon.Parse((await d.GetAsync("/api/version")).Body);
        Assert.False(string.IsNullOrEmpty(version.GetProperty("version").GetString()));

        var tags = HttpDaemon.Parse((await d.GetAsync("/api/tags")).Body);
        var model = Assert.Single(tags.GetProperty("models").EnumerateArray());
        Assert.Equal(HttpDaemon.ModelName, model.GetProperty("model").GetString());
        Assert.Equal(HttpDaemon.ModelName, model.GetProperty("name").GetString());
        Assert.True(model.GetProperty("size").GetInt64() > 0);
        Assert.Equal("gguf", model.GetProperty("details").GetProperty("format").GetString());

        var ps = HttpDaemon.Parse((await d.GetAsync("/api/ps")).Body);
        Assert.Equal(512, Assert.Single(ps.GetProperty("models").EnumerateArray()).GetProperty("context_length").GetInt32());

        var (showStatus, show) = await d.PostAsync("/api/show", """{"model":"stories:latest"}""");
        Assert.Equal(200, showStatus);
        Assert.Contains("tools", show.GetProperty("capabilities").EnumerateArray().Select(c => c.GetString()));
    }

    [Fact]
    public async Task Chat_streams_ndjson_by_default_and_ends_with_ollamas_figures()
    {
        await using var d = await HttpDaemon.StartAsync();
        var lines = await d.PostLinesAsync("/api/chat", """{"model":"stories","messages":[{"role":"user","content":"Once upon a time"}],"options":{"num_predict":8,"temperature":0,"num_ctx":8192},"keep_alive":-1}""");
        Assert.True(lines.Count >= 2);
        Assert.All(lines[..^1], l => Assert.False(l.GetProperty("done").GetBoolean()));
        var last = lines[^1];
        Assert.True(last.GetProperty("done").GetBoolean());
        Assert.Equal("length", last.GetProperty("done_reason").GetString());
        Assert.Equal(8, last.GetProperty("eval_count").GetInt32());
        Assert.True(last.GetProperty("prompt_eval_count").GetInt32() > 0);
        Assert.True(last.GetProperty("total_duration").GetInt64() > 0);
        Assert.True(last.TryGetProperty("eval_duration", out _));
        Assert.True(last.TryGetProperty("load_duration", out _));
        string text = string.Concat(lines.Select(l => l.GetProperty("message").GetProperty("content").GetString()));
        Assert.False(string.IsNullOrEmpty(text));
    }

    [Fact]
    public async Task Chat_without_streaming_is_one_object_with_the_whole_answer()
    {
        await using var d = await HttpDaemon.StartAsync();
        d.Engine.Say("The kitchen light is on.");
        var (status, body) = await d.PostAsync("/api/chat", """{"model":"stories","stream":false,"messages":[{"role":"user","content":"Hi"}],"keep_alive":"5m","format":{"type":"object"}}""");
        Assert.Equal(200, status);
        Assert.Equal("The kitchen light is on.", body.GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("assistant", body.GetProperty("message").GetProperty("role").GetString());
        Assert.True(body.GetProperty("done").GetBoolean());
        Assert.Equal("stop", body.GetProperty("done_reason").GetString());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task A_format_schema_is_enforced_on_a_real_model(int seed)
    {
        // stories260K writes children's stories, never JSON: only the grammar-constrained sampler can make this valid.
        await using var d = await HttpDaemon.StartAsync();
        var (status, body) = await d.PostAsync("/api/chat", $$$"""
            {"model":"stories","stream":false,"messages":[{"role":"user","content":"Which light?"}],
             "format":{"type":"object","properties":{"room":{"enum":["kitchen","hall"]},"on":{"type":"boolean"}},"required":["room","on"]},
             "options":{"temperature":1.0,"seed":{{{seed}}},"num_predict":64}}
            """);
        Assert.Equal(200, status);
        string content = body.GetProperty("message").GetProperty("content").GetString()!;
        using var answer = System.Text.Json.JsonDocument.Parse(content);
        Assert.Contains(answer.RootElement.GetProperty("room").GetString(), new[] { "kitchen", "hall" });
        Assert.True(answer.RootElement.GetProperty("on").ValueKind is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False);
        Assert.Equal("stop", body.GetProperty("done_reason").GetString());
    }

    [Fact]
    public async Task Generate_streams_response_pieces()
    {
        await using var d = await HttpDaemon.StartAsync();
        var lines = await d.PostLinesAsync("/api/generate", """{"model":"stories","prompt":"Once upon a time","options":{"num_predict":5,"seed":3,"stop":["zzz"]}}""");
        Assert.True(lines[^1].GetProperty("done").GetBoolean());
        Assert.Equal(5, lines[^1].GetProperty("eval_count").GetInt32());
        Assert.All(lines, l => Assert.True(l.TryGetProperty("response", out _)));
    }

    [Fact]
    public async Task Unknown_model_is_ollamas_404_and_pulling_another_model_is_a_real_pull_that_can_fail()
    {
        await using var d = await HttpDaemon.StartAsync();
        var (status, body) = await d.PostAsync("/api/chat", """{"model":"llama3.2","messages":[{"role":"user","content":"Hi"}]}""");
        Assert.Equal(404, status);
        Assert.Equal("model 'llama3.2' not found", body.GetProperty("error").GetString());

        var (pullOk, pulled) = await d.PostAsync("/api/pull", """{"model":"stories","stream":false}""");
        Assert.Equal((200, "success"), (pullOk, pulled.GetProperty("status").GetString()));
        // Another model is pulled for real (OllamaPullTests); here the registry cannot be reached, as ollama says it.
        var (pullBad, refused) = await d.PostAsync("/api/pull", """{"model":"llama3.2","stream":false}""");
        Assert.Equal(500, pullBad);
        Assert.Contains("127.0.0.1", refused.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("{\"model\":\"stories\",", "invalid JSON")]
    [InlineData("{\"model\":\"stories\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"options\":{\"temperature\":\"hot\"}}", "options.temperature")]
    [InlineData("{\"model\":\"stories\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"options\":{\"top_p\":7}}", "top_p")]
    [InlineData("{\"model\":\"stories\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"format\":42}", "format")]
    [InlineData("{\"model\":\"stories\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tools\":[{\"type\":\"function\",\"function\":{}}]}", "tools[0].function.name")]
    [InlineData("{\"model\":\"stories\",\"messages\":[{\"content\":\"x\"}]}", "messages[0].role")]
    [InlineData("{\"model\":\"stories\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"keep_alive\":[1]}", "keep_alive")]
    [InlineData("[1,2]", "JSON object")]
    public async Task Bad_input_is_a_400_with_one_line_naming_the_field(string json, string expected)
    {
        await using var d = await HttpDaemon.StartAsync();
        var (status, body) = await d.PostAsync("/api/chat", json);
        Assert.Equal(400, status);
        string error = body.GetProperty("error").GetString()!;
        Assert.Contains(expected, error);
        Assert.DoesNotContain('\n', error);
        // The daemon keeps serving.
        Assert.Equal(200, (await d.GetAsync("/api/tags")).Status);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_413_and_the_socket_keeps_serving()
    {
        await using var d = await HttpDaemon.StartAsync(maxBody: 4096);
        string big = "{\"model\":\"stories\",\"prompt\":\"" + new string('a', 20_000) + "\"}";
        var (status, body) = await d.PostAsync("/api/generate", big);
        Assert.Equal(413, status);
        Assert.Contains("http_max_body_bytes", body.GetProperty("error").GetString());
        using var socket = d.Daemon.Connect();
        socket.Send("""{"id":"s","prompt":"Once","max_tokens":2}""");
        Assert.Equal("length", (await socket.ReadUntilFinalAsync("s"))[^1].Finish());
    }

    [Fact]
    public async Task With_a_key_every_route_but_the_root_needs_the_bearer()
    {
        await using var d = await HttpDaemon.StartAsync(apiKey: "s3cret");
        Assert.Equal(200, (await d.GetAsync("/")).Status);
        Assert.Equal(401, (await d.GetAsync("/api/tags")).Status);
        Assert.Equal(401, (await d.GetAsync("/api/tags", key: "wrong")).Status);
        Assert.Equal(200, (await d.GetAsync("/api/tags", key: "s3cret")).Status);
        var (status, body) = await d.GetAsync("/v1/models");
        Assert.Equal(401, status);
        Assert.Equal("authentication_error", HttpDaemon.Parse(body).GetProperty("error").GetProperty("type").GetString());
    }

    [Fact]
    public async Task Closing_the_connection_cancels_the_generation()
    {
        await using var d = await HttpDaemon.StartAsync(msPerToken: 50);
        using (var cts = new CancellationTokenSource())
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/generate")
            {
                Content = new StringContent("""{"model":"stories","prompt":"Once upon a time","options":{"num_predict":200}}"""),
            };
            using var response = await d.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
            var stream = await response.Content.ReadAsStreamAsync(cts.Token);
            var buffer = new byte[64];
            Assert.True(await stream.ReadAsync(buffer, cts.Token) > 0);
            cts.Cancel();
        }
        // The generation thread is free again well before 200 tokens at 50 ms would end.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var socket = d.Daemon.Connect();
        socket.Send("""{"id":"next","prompt":"Once","max_tokens":1}""");
        Assert.Equal("length", (await socket.ReadUntilFinalAsync("next"))[^1].Finish());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Think_puts_qwen3s_thought_in_message_thinking()
    {
        await using var d = await HttpDaemon.StartAsync(template: "auto", modelFile: "qwen3-tiny-f16.gguf");
        d.Engine.Say("<think>\nThe user wants light.\n</think>\n\nOn it.", "<think>\nAgain.\n</think>\n\nDone.");
        var (status, body) = await d.PostAsync("/api/chat", """{"model":"stories","stream":false,"think":true,"messages":[{"role":"user","content":"Light"}]}""");
        Assert.Equal(200, status);
        Assert.Equal("The user wants light.", body.GetProperty("message").GetProperty("thinking").GetString());
        Assert.Equal("On it.", body.GetProperty("message").GetProperty("content").GetString());

        var lines = await d.PostLinesAsync("/api/chat", """{"model":"stories","think":"high","messages":[{"role":"user","content":"Light"}]}""");
        Assert.Equal("Again.", string.Concat(lines.Select(l => l.GetProperty("message").TryGetProperty("thinking", out var t) ? t.GetString() : "")));
        Assert.Equal("Done.", string.Concat(lines.Select(l => l.GetProperty("message").GetProperty("content").GetString())));
    }

    [Fact]
    public async Task Shutdown_ends_a_streamed_answer_with_its_final_chunk()
    {
        var d = await HttpDaemon.StartAsync(msPerToken: 50);
        try
        {
            using var response = await d.Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/generate")
            {
                Content = new StringContent("""{"model":"stories","prompt":"Once upon a time","options":{"num_predict":300}}"""),
            }, HttpCompletionOption.ResponseHeadersRead);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            Assert.NotNull(await reader.ReadLineAsync());
            var stopping = d.Daemon.StopAsync();
            string? line, last = null;
            while ((line = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10))) is not null) last = line;
            await stopping.WaitAsync(TimeSpan.FromSeconds(10));
            var final = HttpDaemon.Parse(last!);
            Assert.True(final.GetProperty("done").GetBoolean());
            Assert.Equal("cancelled", final.GetProperty("done_reason").GetString());
        }
        finally
        {
            await d.DisposeAsync();
        }
    }

    [Fact]
    public async Task Answers_keep_non_ascii_text_readable_and_quotes_escaped()
    {
        await using var d = await HttpDaemon.StartAsync();
        d.Engine.Say("Grüße, \"Küche\" ist an.");
        using var response = await d.Client.PostAsync("/api/chat", new StringContent("""{"model":"stories","stream":false,"messages":[{"role":"user","content":"x"}]}"""));
        string raw = await response.Content.ReadAsStringAsync();
        Assert.Contains("Grüße, \\\"Küche\\\" ist an.", raw);
        Assert.Equal("Grüße, \"Küche\" ist an.", HttpDaemon.Parse(raw).GetProperty("message").GetProperty("content").GetString());
    }
}
