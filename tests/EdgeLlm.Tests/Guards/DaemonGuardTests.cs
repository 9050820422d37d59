using System.Globalization;
using EdgeLlm.Guards;
using EdgeLlm.Tests.Daemon;

namespace EdgeLlm.Tests.Guards;

/// <summary>A running daemon reacting to a fake temperature sensor and to the memory floor.</summary>
public sealed class DaemonGuardTests : IDisposable
{
    private readonly string _sensor = Path.GetTempFileName();

    public void Dispose() => File.Delete(_sensor);

    private void Temperature(double celsius) =>
        File.WriteAllText(_sensor, ((long)(celsius * 1000)).ToString(CultureInfo.InvariantCulture));

    private static async Task<string> ThermalStatus(TestClient client)
    {
        client.Send("""{"op":"status","id":"s"}""");
        var status = await client.ReadOneAsync();
        return status.GetProperty("guards").GetProperty("thermal").GetString()!;
    }

    private static async Task WaitForThermal(TestClient client, string prefix)
    {
        for (int i = 0; i < 50; i++)
        {
            if ((await ThermalStatus(client)).StartsWith(prefix, StringComparison.Ordinal)) return;
            await Task.Delay(100);
        }
        Assert.Fail($"thermal guard never reached '{prefix}'; last: {await ThermalStatus(client)}");
    }

    [Fact]
    public async Task Overheating_pauses_and_rejects_then_resumes()
    {
        Temperature(50);
        await using var daemon = await TestDaemon.StartAsync(configure: c => c with
        {
            Thermal = new ThermalSettings { SensorPath = _sensor, RejectWhenPaused = true, PollInterval = TimeSpan.FromMilliseconds(100) },
        });
        using var client = daemon.Connect();
        Assert.Equal("ok (50.0 °C)", await ThermalStatus(client));

        Temperature(84);
        await WaitForThermal(client, "paused (84.0 °C)");
        client.Send("""{"id":"hot","prompt":"Once upon a time","max_tokens":4}""");
        var refused = (await client.ReadUntilFinalAsync("hot"))[^1];
        Assert.Equal("overheated", refused.ErrorCode());

        Temperature(69);
        await WaitForThermal(client, "ok (69.0 °C)");
        client.Send("""{"id":"cool","prompt":"Once upon a time","max_tokens":4}""");
        var answer = (await client.ReadUntilFinalAsync("cool"))[^1];
        Assert.Null(answer.ErrorCode());
        Assert.Equal("length", answer.Finish());
    }

    [Fact]
    public async Task Below_the_memory_floor_requests_get_low_memory()
    {
        await using var daemon = await TestDaemon.StartAsync(configure: c => c with { MemoryFloorBytes = 1L << 50 });
        using var client = daemon.Connect();
        client.Send("""{"id":"m","prompt":"Once upon a time","max_tokens":4}""");
        var reply = (await client.ReadUntilFinalAsync("m"))[^1];
        Assert.Equal("low_memory", reply.ErrorCode());
        Assert.Contains("below the floor", reply.GetProperty("error").Str("message"));
    }
}

/// <summary>The memory guard before mapping, on a real engine with a fake /proc.</summary>
public sealed class DaemonMemoryPlanTests : IDisposable
{
    private readonly string _proc = Directory.CreateTempSubdirectory("edgellm-proc").FullName;

    public void Dispose() => Directory.Delete(_proc, recursive: true);

    private EdgeLlm.Config.EdgeLlmConfig Config(long memAvailableKb, bool shrink)
    {
        File.WriteAllText(Path.Combine(_proc, "meminfo"), $"MemTotal: 8000000 kB\nMemAvailable: {memAvailableKb} kB\n");
        return TestDaemon.BaseConfig() with
        {
            ContextSize = 2048,
            MemoryProcRoot = _proc,
            MemoryCgroupRoot = Path.Combine(_proc, "no-cgroup"),
            ShrinkContextToFit = shrink,
            Thermal = new ThermalSettings { Enabled = false },
        };
    }

    [Fact]
    public async Task An_oversized_context_is_shrunk_to_what_fits()
    {
        // stories260K: 1,185,376-byte file, 640 bytes of F16 KV per token, 33,714,176 bytes of scratch (32 MiB runtime plus
        // 32 tokens of activations and logits, ModelConfig.ScratchBytes), 64 MiB reserve: this much available memory
        // leaves room for exactly 1011 tokens.
        var config = Config(100_250, shrink: true);
        using var host = EdgeLlm.Hosting.DaemonHost.Build(config);
        await host.StartAsync();
        try
        {
            using var client = new TestClient(config.SocketPath);
            client.Send("""{"op":"status","id":"s"}""");
            var status = await client.ReadOneAsync();
            Assert.Equal(1011, status.GetProperty("context_size").GetInt32());
        }
        finally
        {
            await host.StopAsync();
            File.Delete(config.SocketPath);
        }
    }

    [Fact]
    public async Task Refusing_names_the_numbers()
    {
        var config = Config(100_250, shrink: false);
        using var host = EdgeLlm.Hosting.DaemonHost.Build(config);
        var e = await Assert.ThrowsAsync<InsufficientMemoryException>(() => host.StartAsync());
        Assert.Contains("KV cache", e.Message);
        Assert.Contains("(2048 tokens)", e.Message);
        Assert.Contains("MemAvailable 98 MiB", e.Message);
        Assert.Contains("refusing to start", e.Message);
        File.Delete(config.SocketPath);
    }
}
