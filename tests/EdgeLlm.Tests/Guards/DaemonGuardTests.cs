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
