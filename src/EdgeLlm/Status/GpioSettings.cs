namespace EdgeLlm.Status;

/// <summary>Status LED and cancel button wiring (BCM pin numbers). A null pin disables that part.</summary>
public sealed record GpioSettings
{
    public int? LedPin { get; init; }

    /// <summary>True when the LED lights with the pin high (wired pin → resistor → LED → ground).</summary>
    public bool LedActiveHigh { get; init; } = true;

    /// <summary>A push button to ground that cancels the current answer (internal pull-up).</summary>
    public int? ButtonPin { get; init; }
}
