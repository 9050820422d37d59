using System.Text.Json;

namespace EdgeLlm.Tests.Http;

/// <summary>Both HTTP APIs report the prompt cache in their finals: ollama as extra fields, OpenAI in usage and timings.</summary>
public sealed class PromptCacheHttpTests
{
    // Longer than one 32-token prompt chunk, so that a repeat can reuse whole chunks.
    private static readonly string Long = string.Concat(Enumerable.Repeat("Lily had a red ball and a small dog named Max. ", 6));

    private static string Chat(string question, bool? cache = null) => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["model"] = "stories",
        ["messages"] = new[] { new Dictionary<string, string> { ["role"] = "user", ["content"] = Long + question } },
        ["options"] = new Dictionary<string, object> { ["num_predict"] = 4, ["temperature"] = 0 },
        ["stream"] = false,
    }.Concat(cache is bool c ? [new("cache_prompt", c)] : Array.Empty<KeyValuePair<string, object>>()).ToDictionary());

    [Fact]
    public async Task Ollama_finals_carry_cached_tokens_prompt_ms_and_ttft_ms()
    {
        await using var d = await HttpDaemon.StartAsync();
        var (_, first) = await d.PostAsync("/api/chat", Chat("Who was Max?"));
        var (_, second) = await d.PostAsync("/api/chat", Chat("What did Lily do?"));
        var (_, cold) = await d.PostAsync("/api/chat", Chat("What did Lily do?", cache: false));
        Assert.Equal(0, first.GetProperty("cached_tokens").GetInt32());
        Assert.True(second.GetProperty("cached_tokens").GetInt32() >= 32, second.ToString());
        Assert.Equal(0, cold.GetProperty("cached_tokens").GetInt32());
        Assert.Equal(cold.GetProperty("message").GetProperty("content").GetString(), second.GetProperty("message").GetProperty("content").GetString());
        foreach (var f in new[] { first, second, cold })
        {
            Assert.True(f.GetProperty("prompt_ms").GetDouble() > 0);
            Assert.True(f.GetProperty("ttft_ms").GetDouble() >= f.GetProperty("prompt_ms").GetDouble());
        }
    }

    [Fact]
    public async Task OpenAi_reports_cached_tokens_in_usage_and_times_in_timings()
    {
        await using var d = await HttpDaemon.StartAsync();
        string Body(string q, bool stream) => JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["model"] = "stories", ["max_tokens"] = 4, ["temperature"] = 0, ["stream"] = stream,
            ["messages"] = new[] { new Dictionary<string, string> { ["role"] = "user", ["content"] = Long + q } },
        });
        var (_, first) = await d.PostAsync("/v1/chat/completions", Body("Who was Max?", false));
        var (_, second) = await d.PostAsync("/v1/chat/completions", Body("What did Lily do?", false));
        Assert.Equal(0, first.GetProperty("usage").GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32());
        int cached = second.GetProperty("usage").GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32();
        Assert.True(cached >= 32, second.ToString());
        var timings = second.GetProperty("timings");
        Assert.Equal(cached, timings.GetProperty("cache_n").GetInt32());
        Assert.Equal(second.GetProperty("usage").GetProperty("prompt_tokens").GetInt32() - cached, timings.GetProperty("prompt_n").GetInt32());
        Assert.True(timings.GetProperty("ttft_ms").GetDouble() >= timings.GetProperty("prompt_ms").GetDouble());

        // Streamed: the chunk with the finish reason carries the timings.
        using var response = await d.Client.PostAsync("/v1/chat/completions", new StringContent(Body("Where was the ball?", true)));
        var chunks = (await response.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries)[..^1]
            .Select(e => HttpDaemon.Parse(e["data: ".Length..])).ToList();
        var last = chunks.Last(c => c.GetProperty("choices").GetArrayLength() > 0);
        Assert.True(last.GetProperty("timings").GetProperty("cache_n").GetInt32() >= 32, last.ToString());
    }
}
