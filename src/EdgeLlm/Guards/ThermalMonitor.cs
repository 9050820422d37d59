namespace EdgeLlm.Guards;

/// <summary>Polls the sensor (once per <see cref="ThermalSettings.PollInterval"/>) and feeds the guard; logs state changes.</summary>
/// <remarks>A missing sensor (containers, x64 machines) disables the guard with a single warning; it never crashes the daemon.</remarks>
public sealed class ThermalMonitor : IDisposable
{
    private readonly ThermalGuard _guard;
    private readonly ITemperatureSensor _sensor;
    private readonly Action<string> _warn;
    private readonly Timer _timer;
    private bool _warnedMissing;

    public ThermalMonitor(ThermalGuard guard, ITemperatureSensor sensor, Action<string> warn)
    {
        _guard = guard;
        _sensor = sensor;
        _warn = warn;
        _guard.StateChanged += (from, to, t) =>
        {
            // An unreadable sensor is reported once by Poll, with its path.
            if (t is null) return;
            _warn($"thermal guard: {from} -> {to} at {(t is double c ? c.ToString("F1", System.Globalization.CultureInfo.InvariantCulture) : "n/a")} °C " +
                  $"(soft {guard.Settings.SoftLimit}, hard {guard.Settings.HardLimit}, resume {guard.Settings.Resume})");
        };
        Poll();
        _timer = new Timer(_ => Poll(), null, guard.Settings.PollInterval, guard.Settings.PollInterval);
    }

    public void Poll()
    {
        if (!_guard.Settings.Enabled) return;
        double? t = _sensor.ReadCelsius();
        if (t is null && !_warnedMissing)
        {
            _warnedMissing = true;
            _warn($"thermal guard disabled: cannot read a temperature from {_guard.Settings.SensorPath}");
        }
        _guard.Update(t);
    }

    public void Dispose() => _timer.Dispose();
}
