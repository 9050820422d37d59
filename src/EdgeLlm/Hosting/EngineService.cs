using System.Diagnostics;
using EdgeLlm.Pipeline;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeLlm.Hosting;

/// <summary>Creates the engine (the model is mapped and warmed up by the loader).</summary>
public delegate IGenerationEngine EngineLoader();

/// <summary>
/// Loads and warms up the model before anything else starts (so systemd's READY=1, sent when the host has started,
/// means "answers now"), starts the generation worker, and at shutdown disposes the model once the worker has stopped.
/// </summary>
internal sealed class EngineService(EngineLoader loader, RequestPipeline pipeline, SystemdStatus systemd,
    IHostApplicationLifetime lifetime, EngineSettings settings, ILogger<EngineService> log) : IHostedService
{
    private IGenerationEngine? _engine;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        systemd.Status($"loading {Path.GetFileName(settings.ModelPath)}");
        var clock = Stopwatch.StartNew();
        _engine = loader();
        log.LogInformation("model {Model} ready in {Seconds:F2} s: context {Context}, {Threads} threads, KV {Kv}",
            _engine.ModelName, clock.Elapsed.TotalSeconds, _engine.ContextLength,
            _engine.Threads > 0 ? _engine.Threads : settings.Threads, settings.KvType.ToString().ToLowerInvariant());
        pipeline.Start(_engine);
        // Draining begins as soon as stop is requested (SIGTERM), before any service's StopAsync.
        lifetime.ApplicationStopping.Register(pipeline.BeginShutdown);
        return Task.CompletedTask;
    }

    /// <summary>The prompt cache's slots go to disk at stop, so that the next start is warm; a failure is logged, never fatal.</summary>
    private void SavePromptCache()
    {
        if (_engine is null) return;
        try
        {
            var clock = Stopwatch.StartNew();
            _engine.SavePromptCache();
            if (_engine.PromptCacheSlots is { Count: > 0 } slots)
                log.LogInformation("prompt cache: {Slots} slots on disk ({Ms:F0} ms at stop)", slots.Count(s => s.OnDisk), clock.Elapsed.TotalMilliseconds);
        }
        catch (Exception e)
        {
            log.LogWarning("prompt cache not saved: {Type}: {Message}", e.GetType().Name, e.Message);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        pipeline.BeginShutdown();
        await pipeline.WorkerStopped.WaitAsync(TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (pipeline.WorkerStopped.IsCompleted)
        {
            SavePromptCache();
            _engine?.Dispose();
        }
        else
            // Unmapping the model under a running forward pass would crash; the process is exiting anyway.
            log.LogWarning("the generation worker did not stop in time; leaving the model mapped");
    }
}
