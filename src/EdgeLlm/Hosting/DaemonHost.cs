using EdgeLlm.Config;
using EdgeLlm.Guards;
using EdgeLlm.Native;
using EdgeLlm.Pipeline;
using EdgeLlm.Transports.Socket;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace EdgeLlm.Hosting;

/// <summary>
/// Builds the daemon's host: engine (model load + warm-up) → socket transport → watchdog, in that start order
/// (stopped in reverse), with systemd integration (Type=notify READY/STOPPING, journal log format) when run by systemd.
/// </summary>
public static class DaemonHost
{
    /// <param name="configure">Last-word service overrides (tests swap the <see cref="EngineLoader"/>).</param>
    public static IHost Build(EdgeLlmConfig config, Action<IServiceCollection>? configure = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = "edgellm" });
        LoggingSetup.Configure(builder.Logging, config);

        var services = builder.Services;
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
        services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        services.AddSystemd();
        services.TryAddSingleton<ISystemdNotifier, SystemdNotifier>();
        services.AddSingleton<SystemdStatus>();

        // Each service takes its own settings; only this composition root reads the whole configuration.
        services.AddSingleton(config.ToPipelineOptions());
        services.AddSingleton(config.ToEngineSettings());
        services.AddSingleton(config.ToSocketSettings());
        services.AddSingleton(config.Thermal);
        services.AddSingleton(config.Mqtt);
        services.AddSingleton(config.Gpio);
        services.AddSingleton<RequestPipeline>();
        services.AddSingleton(new ThermalGuard(config.Thermal));
        services.AddSingleton(new MemoryGuard(config.MemoryReader(), config.MemoryFloorBytes));
        services.AddSingleton<IAdmissionGuard>(sp => new ThermalAdmission(sp.GetRequiredService<ThermalGuard>()));
        services.AddSingleton<IAdmissionGuard>(sp => new MemoryAdmission(sp.GetRequiredService<MemoryGuard>()));
        services.AddSingleton<EngineLoader>(sp => () => LoadEngine(config, sp.GetRequiredService<ThermalGuard>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger("EdgeLlm.Engine")));

        services.AddHostedService<EngineService>();
        services.AddHostedService<GuardsService>();
        services.AddHostedService<SocketTransportService>();
        services.AddHostedService<Transports.Mqtt.MqttService>();
        services.AddSingleton(config.Http);
        services.AddSingleton<Http.HttpService>();
        services.AddHostedService(sp => sp.GetRequiredService<Http.HttpService>());
        services.AddHostedService<WatchdogService>();
        configure?.Invoke(services);
        return builder.Build();
    }

    private static ModelEngine LoadEngine(EdgeLlmConfig config, ThermalGuard thermal, ILogger log)
    {
        var (options, promptCache) = PlanMemory(config, log);
        var engine = new ModelEngine(config.ModelPath, options, promptCache);
        try
        {
            engine.BeforeEachToken = thermal.WaitBeforeToken;
            if (config.Prefetch)
                engine.Prefetch(percent => log.LogInformation("prefetching the model: {Percent}%", percent));
            if (config.Mlock && engine.UsesInterleavedCache)
            {
                // mlockall would also pin the model file's matrices that the cache replaces: lock what is read instead.
                if (engine.LockWeights() is { } problem) log.LogWarning("{Problem}; raise LimitMEMLOCK or set mlock to false", problem);
                else log.LogInformation("weights locked in RAM (mlock of the interleaved cache and the rest of the model)");
            }
            else if (config.Mlock)
            {
                int errno = Libc.LockAllCurrentPages();
                if (errno == 0) log.LogInformation("model locked in RAM (mlock)");
                else log.LogWarning("mlock failed: {Error}; raise LimitMEMLOCK or set mlock to false", Libc.ErrorName(errno));
            }
            var warm = engine.WarmUp();
            log.LogInformation("warm-up: {Ms:F0} ms for the first token", (warm.PromptTime + warm.GenerationTime).TotalMilliseconds);
            return engine;
        }
        catch
        {
            engine.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The memory guard before mapping: shrink the context to what fits, or refuse with the numbers; then the prompt cache
    /// gets its share of what is left (<see cref="PromptCachePlanner"/>), logged with the plan.
    /// </summary>
    private static (Core.Model.ModelOptions, PromptCacheOptions) PlanMemory(EdgeLlmConfig config, ILogger log)
    {
        var options = config.ToModelOptions();
        var footprint = ModelFootprint.Of(config.ModelPath, config.KvType);
        int context = options.ContextLength > 0 ? options.ContextLength : footprint.TrainedContext;
        var plan = MemoryPlanner.Plan(footprint.FileBytes, footprint.KvBytesPerToken, context, footprint.ScratchBytes,
            config.MemoryReader().Read(), config.ShrinkContextToFit);
        switch (plan.Verdict)
        {
            case MemoryVerdict.Refused:
                throw new InsufficientMemoryException(plan.Message);
            case MemoryVerdict.Shrunk or MemoryVerdict.Unchecked:
                log.LogWarning("memory guard: {Message}", plan.Message);
                break;
            default:
                log.LogInformation("memory guard: {Message}", plan.Message);
                break;
        }
        var (limits, cacheMessage) = PromptCachePlanner.Plan(config.PromptCacheSlots, config.PromptCacheBytes, footprint.KvBytesPerToken * plan.ContextLength, plan);
        log.LogInformation("memory guard: {Message}", cacheMessage + (limits.Slots > 0 ? $", kept in {config.PromptCacheDirectory ?? "memory only"}" : ""));
        return (options with { ContextLength = plan.ContextLength, Log = line => log.LogInformation("{Line}", line) },
            new PromptCacheOptions(limits, config.PromptCacheDirectory));
    }
}
