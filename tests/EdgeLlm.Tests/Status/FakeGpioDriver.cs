using System.Device.Gpio;

namespace EdgeLlm.Tests.Status;

/// <summary>An in-memory GPIO chip: records pin writes and lets tests raise input edges.</summary>
internal sealed class FakeGpioDriver : GpioDriver
{
    private readonly Dictionary<int, PinValue> _values = [];
    private readonly Dictionary<int, PinMode> _modes = [];
    private readonly List<(int Pin, PinEventTypes Types, PinChangeEventHandler Handler)> _callbacks = [];

    public List<(int Pin, PinValue Value)> Writes { get; } = [];

    public PinValue ValueOf(int pin) => _values.GetValueOrDefault(pin, PinValue.Low);

    public PinMode? ModeOf(int pin) => _modes.TryGetValue(pin, out var m) ? m : null;

    /// <summary>Simulates the button pulling the pin low.</summary>
    public void Press(int pin)
    {
        _values[pin] = PinValue.Low;
        foreach (var (p, types, handler) in _callbacks.ToArray())
            if (p == pin && types.HasFlag(PinEventTypes.Falling))
                handler(this, new PinValueChangedEventArgs(PinEventTypes.Falling, pin));
    }

    protected override int PinCount => 28;

    protected override void OpenPin(int pinNumber) { }

    protected override void ClosePin(int pinNumber) => _modes.Remove(pinNumber);

    protected override void SetPinMode(int pinNumber, PinMode mode) => _modes[pinNumber] = mode;

    protected override PinMode GetPinMode(int pinNumber) => _modes.GetValueOrDefault(pinNumber, PinMode.Input);

    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) => true;

    protected override PinValue Read(int pinNumber) => ValueOf(pinNumber);

    protected override void Write(int pinNumber, PinValue value)
    {
        lock (Writes)
        {
            _values[pinNumber] = value;
            Writes.Add((pinNumber, value));
        }
    }

    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken) =>
        new() { TimedOut = true };

    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback) =>
        _callbacks.Add((pinNumber, eventTypes, callback));

    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback) =>
        _callbacks.RemoveAll(c => c.Pin == pinNumber && c.Handler == callback);
}
