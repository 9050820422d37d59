namespace EdgeLlm.Guards;

/// <summary>
/// The thermal state machine: Normal → Throttled above the soft limit, → Paused above the hard limit, and back
/// with hysteresis (throttling ends below soft − hysteresis, a pause ends at the resume temperature).
/// </summary>
/// <remarks>
/// While throttled, the pause between tokens adapts: it grows while the temperature still rises and shrinks
/// while it falls, so the device settles just under the soft limit instead of oscillating.
/// Thread-safe: the monitor feeds readings, the generation thread asks for delays.
/// </remarks>
public sealed class ThermalGuard
{
    private static readonly TimeSpan DelayStep = TimeSpan.FromMilliseconds(25);

    private readonly ThermalSettings _settings;
    private readonly object _gate = new();
    private double? _lastReading;
    private TimeSpan _tokenDelay;

    public ThermalGuard(ThermalSettings settings)
    {
        _settings = settings;
        State = settings.Enabled ? ThermalState.Normal : ThermalState.Disabled;
    }

    public ThermalState State { get; private set; }

    public double? Temperature => _lastReading;

    /// <summary>Pause currently inserted between tokens (zero unless throttled).</summary>
    public TimeSpan TokenDelay { get { lock (_gate) return _tokenDelay; } }

    public ThermalSettings Settings => _settings;

    /// <summary>Raised with (old, new) whenever the state changes.</summary>
    public event Action<ThermalState, ThermalState, double?>? StateChanged;

    /// <summary>Feeds one reading; null (sensor unreadable) disables the guard.</summary>
    public void Update(double? celsius)
    {
        ThermalState before, after;
        lock (_gate)
        {
            before = State;
            if (!_settings.Enabled || celsius is null)
            {
                State = ThermalState.Disabled;
                _tokenDelay = TimeSpan.Zero;
                _lastReading = celsius;
            }
            else
            {
                double t = celsius.Value;
                double? previous = _lastReading;
                _lastReading = t;
                State = Next(State, t);
                AdaptDelay(t, previous);
            }
            after = State;
        }
        if (before != after) StateChanged?.Invoke(before, after, celsius);
    }

    private ThermalState Next(ThermalState current, double t)
    {
        if (t >= _settings.HardLimit) return ThermalState.Paused;
        return current switch
        {
            ThermalState.Paused => t <= _settings.Resume ? (t >= _settings.SoftLimit ? ThermalState.Throttled : ThermalState.Normal) : ThermalState.Paused,
            ThermalState.Throttled => t < _settings.SoftLimit - _settings.Hysteresis ? ThermalState.Normal : ThermalState.Throttled,
            _ => t >= _settings.SoftLimit ? ThermalState.Throttled : ThermalState.Normal,
        };
    }

    private void AdaptDelay(double t, double? previous)
    {
        if (State != ThermalState.Throttled)
        {
            _tokenDelay = TimeSpan.Zero;
            return;
        }
        bool rising = previous is null || t > previous.Value;
        bool falling = previous is not null && t < previous.Value;
        if (rising || _tokenDelay == TimeSpan.Zero)
            _tokenDelay = TimeSpan.FromTicks(Math.Min((_tokenDelay + DelayStep).Ticks, _settings.MaxTokenDelay.Ticks));
        else if (falling)
            _tokenDelay = TimeSpan.FromTicks(Math.Max((_tokenDelay - DelayStep).Ticks, DelayStep.Ticks));
    }

    /// <summary>
    /// Called by the generation thread before each token: sleeps for the throttle delay, and while paused waits
    /// (checking again every 100 ms) until the pause ends or <paramref name="cancellation"/> fires.
    /// </summary>
    public void WaitBeforeToken(CancellationToken cancellation)
    {
        while (State == ThermalState.Paused && !cancellation.IsCancellationRequested)
            cancellation.WaitHandle.WaitOne(100);
        var delay = TokenDelay;
        if (delay > TimeSpan.Zero && !cancellation.IsCancellationRequested)
            cancellation.WaitHandle.WaitOne(delay);
    }

    /// <summary>Whether a new request may start now (false only while paused with RejectWhenPaused).</summary>
    public bool AcceptsNewRequests => !(State == ThermalState.Paused && _settings.RejectWhenPaused);
}
