using System.Device.Gpio;

namespace EdgeLlm.Status;

/// <summary>Drives the status LED with a pattern, and watches the optional cancel button.</summary>
/// <remarks>
/// Without a GPIO chip (x64 machines, containers, a unit with PrivateDevices=yes) the feature switches itself off
/// with one log line. The controller is injected so tests can use a fake <see cref="GpioDriver"/>.
/// </remarks>
public sealed class StatusLed : IDisposable
{
    private readonly GpioController? _gpio;
    private readonly GpioSettings _settings;
    private readonly Timer? _timer;
    private readonly object _gate = new();
    private LedPattern _pattern = LedPattern.Off;
    private bool _lit;
    private bool _disposed;

    private StatusLed(GpioController? gpio, GpioSettings settings, Action? onButton)
    {
        _gpio = gpio;
        _settings = settings;
        if (gpio is null) return;
        if (settings.LedPin is int led)
        {
            gpio.OpenPin(led, PinMode.Output);
            Write(false);
            _timer = new Timer(_ => Tick());
        }
        if (settings.ButtonPin is int button && onButton is not null)
        {
            gpio.OpenPin(button, PinMode.InputPullUp);
            gpio.RegisterCallbackForPinValueChangedEvent(button, PinEventTypes.Falling, (_, _) => onButton());
        }
    }

    /// <summary>Whether a GPIO controller is in use.</summary>
    public bool Enabled => _gpio is not null;

    public LedPattern Pattern { get { lock (_gate) return _pattern; } }

    /// <summary>Whether the LED is lit right now (for status and tests).</summary>
    public bool IsLit { get { lock (_gate) return _lit; } }

    /// <summary>Opens the GPIO chip; on failure returns a disabled instance and reports why through <paramref name="log"/>.</summary>
    public static StatusLed Create(GpioSettings settings, Action? onButton, Action<string> log, Func<GpioController>? controllerFactory = null)
    {
        if (settings.LedPin is null && settings.ButtonPin is null) return new StatusLed(null, settings, null);
        try
        {
            var gpio = controllerFactory?.Invoke() ?? new GpioController();
            return new StatusLed(gpio, settings, onButton);
        }
        catch (Exception e)
        {
            log($"GPIO status LED/button disabled: no usable GPIO chip ({e.Message})");
            return new StatusLed(null, settings, null);
        }
    }

    public void Show(LedPattern pattern)
    {
        lock (_gate)
        {
            if (_disposed || pattern == _pattern) return;
            _pattern = pattern;
            if (_gpio is null || _timer is null) return;
            var half = LedPatterns.HalfPeriod(pattern);
            Write(pattern != LedPattern.Off);
            if (half is TimeSpan h) _timer.Change(h, h);
            else _timer.Change(Timeout.Infinite, Timeout.Infinite);
        }
    }

    /// <summary>One timer tick: blinking patterns toggle the LED, steady ones leave it (internal for tests).</summary>
    internal void Tick()
    {
        lock (_gate)
        {
            if (_disposed || LedPatterns.HalfPeriod(_pattern) is null) return;
            Write(!_lit);
        }
    }

    private void Write(bool lit)
    {
        _lit = lit;
        if (_gpio is null || _settings.LedPin is not int pin) return;
        _gpio.Write(pin, lit == _settings.LedActiveHigh ? PinValue.High : PinValue.Low);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _pattern = LedPattern.Off;
            Write(false);
            _disposed = true;
        }
        _timer?.Dispose();
        _gpio?.Dispose();
    }
}
