using EdgeLlm.Config;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Serilog;
using Serilog.Events;

namespace EdgeLlm.Hosting;

/// <summary>
/// Logs go to stderr, one line per event (under systemd in the journal format with priorities, chosen by
/// Hosting.Systemd), and with <c>log_path</c> also to a daily-rotated file through Serilog, configured in code
/// (no configuration-file reflection, NativeAOT-safe). Exceptions are logged as type and message, never as stack traces.
/// </summary>
internal static class LoggingSetup
{
    public static void Configure(ILoggingBuilder logging, EdgeLlmConfig config)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(config.LogLevel);
        // Host internals are noisy at Information.
        logging.AddFilter("Microsoft", LogLevel.Warning);
        logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        // The host logs start failures with a stack trace; serve reports them itself as one "error:" line.
        logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
        logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-dd HH:mm:ss ";
            o.ColorBehavior = LoggerColorBehavior.Disabled;
        });
        logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);

        if (config.LogPath is { } path)
        {
            var serilog = new LoggerConfiguration()
                .MinimumLevel.Is(config.LogLevel switch
                {
                    LogLevel.Debug => LogEventLevel.Debug,
                    LogLevel.Warning => LogEventLevel.Warning,
                    LogLevel.Error => LogEventLevel.Error,
                    _ => LogEventLevel.Information,
                })
                .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
                .WriteTo.File(path,
                    outputTemplate: "{Timestamp:yyyy-MM-dd HH:mm:ss.fff} [{Level:u3}] {SourceContext}: {Message:lj}{NewLine}",
                    rollingInterval: RollingInterval.Day,
                    retainedFileCountLimit: 7,
                    fileSizeLimitBytes: 16 << 20,
                    rollOnFileSizeLimit: true)
                .CreateLogger();
            logging.AddSerilog(serilog, dispose: true);
        }
    }
}
