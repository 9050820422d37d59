using EdgeLlm.Commands;
using EdgeLlm.Config;
using EdgeLlm.Core.Gguf;
using EdgeLlm.Transports.Socket;
using Microsoft.Extensions.Hosting;

namespace EdgeLlm.Hosting;

/// <summary>
/// <c>edgellm serve [--config PATH] [--KEY VALUE]...</c>: runs the daemon until SIGTERM/SIGINT. Exit codes:
/// 0 after a clean stop, 2 for an invalid configuration or a model, socket or memory set-up that cannot work
/// (each message names the config key and where its value came from).
/// </summary>
internal static class ServeCommand
{
    public static int Run(string[] args)
    {
        var (configPath, flags) = ParseFlags(args);
        EdgeLlmConfig config;
        try
        {
            config = ConfigLoader.Load(configPath, flags, ConfigLoader.ProcessEnvironment());
        }
        catch (ConfigException e)
        {
            Console.Error.WriteLine("error: invalid configuration:");
            foreach (var p in e.Problems) Console.Error.WriteLine($"  {p}");
            return 2;
        }

        try
        {
            // Fail fast, before mapping the model, if another daemon owns the socket.
            if (Environment.GetEnvironmentVariable("LISTEN_FDS") is null)
            {
                UnixSocketBinder.EnsureDirectory(config.SocketPath);
                UnixSocketBinder.EnsureAvailable(config.SocketPath, null);
            }
            if (config.SocketGroup is { } group) UnixSocketBinder.ResolveGroup(group);
            using var host = DaemonHost.Build(config);
            var log = (Microsoft.Extensions.Logging.ILogger)host.Services.GetService(typeof(Microsoft.Extensions.Logging.ILogger<EngineService>))!;
            AppDomain.CurrentDomain.UnhandledException += (_, e) =>
                Microsoft.Extensions.Logging.LoggerExtensions.LogCritical(log, "unhandled exception: {Message}", (e.ExceptionObject as Exception)?.Message);
            TaskScheduler.UnobservedTaskException += (_, e) =>
            {
                Microsoft.Extensions.Logging.LoggerExtensions.LogError(log, "unobserved task exception: {Message}", e.Exception.GetBaseException().Message);
                e.SetObserved();
            };
            host.Run();
            return 0;
        }
        catch (Exception e) when (StartupFailure.Describe(e, config) is { } problem)
        {
            // Exit 2: the unit's RestartPreventExitStatus, so systemd does not retry a setup that cannot work.
            Console.Error.WriteLine($"error: {problem}");
            return 2;
        }
    }

    /// <summary>"--key value" / "--key=value" pairs; "--config" is the file path.</summary>
    private static (string? ConfigPath, Dictionary<string, string> Flags) ParseFlags(string[] args)
    {
        var flags = new Dictionary<string, string>(StringComparer.Ordinal);
        string? configPath = null;
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            if (!a.StartsWith('-') || a.Length < 2 || a == "--" || (a[1] != '-' && !Commands.CliAliases.Serve.ContainsKey(a)))
                throw new CliException($"serve: unexpected argument '{a}' (options are --key value)");
            if (Commands.CliAliases.Serve.TryGetValue(a.Split('=')[0], out string? longName))
                a = "--" + longName + (a.Contains('=') ? a[a.IndexOf('=')..] : "");
            string name = a[2..], value;
            int eq = name.IndexOf('=');
            if (eq > 0)
            {
                value = name[(eq + 1)..];
                name = name[..eq];
            }
            else if (i + 1 < args.Length)
            {
                value = args[++i];
            }
            else
            {
                throw new CliException($"option --{name} needs a value");
            }
            if (name == "config") configPath = value;
            else flags[name] = value;
        }
        return (configPath, flags);
    }
}
