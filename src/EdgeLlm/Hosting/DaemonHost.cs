using EdgeLlm.Config;
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

        services.AddSingleton(config);
        services.AddSingleton(config.ToPipelineOptions());
        services.AddSingleton<RequestPipeline>();
        services.AddSingleton<EngineLoader>(sp => () => LoadEngine(config, sp.GetRequiredService<ILoggerFactory>().CreateLogger("EdgeLlm.Engine")));

        services.AddHostedService<EngineService>();
        services.AddHostedService<SocketTransportService>();
        services.AddHostedService<WatchdogService>();
        configure?.Invoke(services);
        return builder.Build();
    }

    private static LlamaEngine LoadEngine(EdgeLlmConfig config, ILogger log)
    {
        var engine = new LlamaEngine(config.ModelPath, config.ToModelOptions());
        try
        {
            if (config.Mlock)
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
}
