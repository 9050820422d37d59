using System.Text.Json;
using EdgeLlm.Config;
using EdgeLlm.Hosting;
using Microsoft.Extensions.Hosting;

namespace EdgeLlm.Tests.Daemon;

/// <summary>
/// The scripted conversation, in-process on the real loader (memory plan, prompt cache directory): two long
/// system prompts alternating over the socket, then a restart. cached_tokens and the times come from the finals, and each
/// warm answer is compared with the same request sent with cache_prompt false (greedy: same logits, same text).
/// </summary>
[Collection("daemon")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PromptCacheDaemonTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "edgellm-pcdaemon-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private static readonly string SystemA = string.Concat(Enumerable.Repeat("Lily had a red ball and a small dog named Max. ", 6));
    private static readonly string SystemB = string.Concat(Enumerable.Repeat("Tom lived in a big house near the sea with his mom. ", 6));

    private EdgeLlmConfig Config() => TestDaemon.BaseConfig() with { WeightCacheDirectory = null, PromptCacheDirectory = _dir };

    private static async Task<IHost> StartAsync(EdgeLlmConfig config)
    {
        var host = DaemonHost.Build(config);
        await host.StartAsync();
        return host;
    }

    private static async Task<JsonElement> AskAsync(TestClient client, string id, string prompt, bool cache = true)
    {
        client.Send(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["id"] = id, ["prompt"] = prompt, ["max_tokens"] = 12, ["temperature"] = 0, ["cache_prompt"] = cache,
        }));
        var final = (await client.ReadUntilFinalAsync(id))[^1];
        Assert.True(final.GetProperty("done").GetBoolean(), final.ToString());
        return final;
    }

    private static int Cached(JsonElement final) => final.GetProperty("cached_tokens").GetInt32();

    [Fact]
    public async Task Alternating_system_prompts_are_served_warm_and_a_restart_keeps_them()
    {
        var config = Config();
        var host = await StartAsync(config);
        try
        {
            using var client = new TestClient(config.SocketPath);
            var a1 = await AskAsync(client, "a1", SystemA + "What did Lily do?");
            var b1 = await AskAsync(client, "b1", SystemB + "Where was Tom?");
            var a2 = await AskAsync(client, "a2", SystemA + "Who was Max?");
            var b2 = await AskAsync(client, "b2", SystemB + "What did Tom see?");
            Assert.Equal((0, 0), (Cached(a1), Cached(b1)));
            Assert.True(Cached(a2) >= 32 && Cached(b2) >= 32, $"a2 {Cached(a2)}, b2 {Cached(b2)} cached");
            foreach (var f in new[] { a1, b1, a2, b2 })
            {
                Assert.True(f.GetProperty("prompt_ms").GetDouble() > 0);
                Assert.True(f.GetProperty("ttft_ms").GetDouble() >= f.GetProperty("prompt_ms").GetDouble());
            }

            // The same requests cold give the same greedy answers.
            Assert.Equal(a2.Str("text"), (await AskAsync(client, "a2-cold", SystemA + "Who was Max?", cache: false)).Str("text"));
            var cold = await AskAsync(client, "b2-cold", SystemB + "What did Tom see?", cache: false);
            Assert.Equal(0, Cached(cold));
            Assert.Equal(b2.Str("text"), cold.Str("text"));

            client.Send("""{"op":"status"}""");
            var status = await client.ReadOneAsync();
            var slots = status.GetProperty("prompt_cache");
            Assert.Equal(2, slots.GetArrayLength());
            Assert.All(slots.EnumerateArray(), s => Assert.True(s.GetProperty("tokens").GetInt32() >= 32 && s.GetProperty("bytes").GetInt64() > 0));
        }
        finally
        {
            await host.StopAsync();
            host.Dispose();
        }
        Assert.Equal(2, Directory.GetFiles(_dir, "prompt-*.kv").Length);

        // After a restart the first request with a known prefix is warm, from disk, and still answers as a cold run.
        var again = Config() with { SocketPath = TestDaemon.NewSocketPath() };
        host = await StartAsync(again);
        try
        {
            using var client = new TestClient(again.SocketPath);
            var b3 = await AskAsync(client, "b3", SystemB + "Was Tom happy?");
            Assert.True(Cached(b3) >= 32, $"b3 {Cached(b3)} cached");
            Assert.Equal(b3.Str("text"), (await AskAsync(client, "b3-cold", SystemB + "Was Tom happy?", cache: false)).Str("text"));
        }
        finally
        {
            await host.StopAsync();
            host.Dispose();
        }
    }

    [Fact]
    public async Task A_damaged_slot_file_is_a_log_line_and_a_cold_start()
    {
        var config = Config();
        var host = await StartAsync(config);
        try
        {
            using var client = new TestClient(config.SocketPath);
            await AskAsync(client, "a1", SystemA + "What did Lily do?");
        }
        finally
        {
            await host.StopAsync();
            host.Dispose();
        }
        string file = Assert.Single(Directory.GetFiles(_dir, "prompt-*.kv"));
        var bytes = File.ReadAllBytes(file);
        bytes[^20] ^= 0xFF;
        File.WriteAllBytes(file, bytes);

        var again = Config() with { SocketPath = TestDaemon.NewSocketPath() };
        var logs = new EdgeLlm.Tests.Mqtt.TestLog();
        host = DaemonHost.Build(again with { LogLevel = Microsoft.Extensions.Logging.LogLevel.Information },
            s => Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(s, new TestLogProvider(logs)));
        await host.StartAsync();
        try
        {
            using var client = new TestClient(again.SocketPath);
            var a2 = await AskAsync(client, "a2", SystemA + "Who was Max?");
            Assert.Equal(0, Cached(a2));
            Assert.Contains(logs.Lines, l => l.Contains(file) && l.Contains("checksum mismatch"));
        }
        finally
        {
            await host.StopAsync();
            host.Dispose();
        }
    }
}
