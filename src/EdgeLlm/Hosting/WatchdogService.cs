using EdgeLlm.Pipeline;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeLlm.Hosting;

/// <summary>
/// Sends systemd the WATCHDOG=1 heartbeat at half of <c>WatchdogSec</c>, but only while the pipeline is healthy
/// (the generation worker runs and is not stuck): a hung daemon is then restarted by systemd. Also keeps the
/// STATUS= line current ("ready: model.gguf, 12 served, last 8.4 tok/s").
/// </summary>
internal sealed class WatchdogService(RequestPipeline pipeline, SystemdStatus systemd, ILogger<WatchdogService> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var watchdog = SystemdStatus.WatchdogInterval();
        if (!systemd.Enabled) return;
        var period = watchdog is { } w ? TimeSpan.FromTicks(Math.Min(w.Ticks / 2, TimeSpan.FromSeconds(5).Ticks)) : TimeSpan.FromSeconds(5);
        if (watchdog is not null) log.LogInformation("systemd watchdog: {Seconds:0.#} s, heartbeat every {Period:0.#} s while healthy", watchdog.Value.TotalSeconds, period.TotalSeconds);
        using var timer = new PeriodicTimer(period);
        bool warned = false;
        do
        {
            var s = pipeline.Status();
            if (pipeline.IsHealthy(out string problem))
            {
                warned = false;
                if (watchdog is not null) systemd.WatchdogHeartbeat();
                string activity = s.Generating ? $"generating, {s.QueueDepth} queued" : "ready";
                string guards = string.Concat(s.Guards.Where(g => !g.Value.StartsWith("ok", StringComparison.Ordinal)).Select(g => $", {g.Key} {g.Value}"));
                systemd.Status($"{activity}: {s.Model}, {s.RequestsServed} served, last {s.LastTokensPerSecond:F1} tok/s{guards}");
            }
            else if (!warned)
            {
                warned = true;
                log.LogError("unhealthy, withholding the watchdog heartbeat: {Problem}", problem);
                systemd.Status($"unhealthy: {problem}");
            }
        }
        while (await NextTick(timer, stoppingToken).ConfigureAwait(false));
    }

    private static async ValueTask<bool> NextTick(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
