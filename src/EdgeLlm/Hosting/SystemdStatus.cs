using Microsoft.Extensions.Hosting.Systemd;

namespace EdgeLlm.Hosting;

/// <summary>Sends STATUS= and WATCHDOG=1 through Hosting.Systemd's notifier (no-ops when not run by systemd).</summary>
internal sealed class SystemdStatus(ISystemdNotifier notifier)
{
    private string? _last;

    public bool Enabled => notifier.IsEnabled;

    public void Status(string text)
    {
        if (!notifier.IsEnabled || text == _last) return;
        _last = text;
        notifier.Notify(new ServiceState("STATUS=" + text));
    }

    public void WatchdogHeartbeat()
    {
        if (notifier.IsEnabled) notifier.Notify(new ServiceState("WATCHDOG=1"));
    }

    /// <summary>The watchdog interval systemd asks for (<c>WATCHDOG_USEC</c>, for this process), or null.</summary>
    public static TimeSpan? WatchdogInterval()
    {
        string? pid = Environment.GetEnvironmentVariable("WATCHDOG_PID");
        if (pid is not null && pid != Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)) return null;
        return long.TryParse(Environment.GetEnvironmentVariable("WATCHDOG_USEC"), out long usec) && usec > 0
            ? TimeSpan.FromMicroseconds(usec)
            : null;
    }
}
