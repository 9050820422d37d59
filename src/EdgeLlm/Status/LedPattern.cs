namespace EdgeLlm.Status;

/// <summary>What the status LED shows.</summary>
public enum LedPattern
{
    /// <summary>Stopped (or not started).</summary>
    Off,

    /// <summary>Ready: steady on.</summary>
    Steady,

    /// <summary>Generating: slow blink (1 Hz).</summary>
    SlowBlink,

    /// <summary>Throttled or paused by the thermal guard: fast blink (4 Hz).</summary>
    FastBlink,
}

public static class LedPatterns
{
    /// <summary>Half-period of a blinking pattern; null for steady patterns.</summary>
    public static TimeSpan? HalfPeriod(LedPattern pattern) => pattern switch
    {
        LedPattern.SlowBlink => TimeSpan.FromMilliseconds(500),
        LedPattern.FastBlink => TimeSpan.FromMilliseconds(125),
        _ => null,
    };

    /// <summary>The pattern for a daemon state: thermal trouble wins over activity.</summary>
    public static LedPattern For(bool running, bool generating, Guards.ThermalState thermal) =>
        !running ? LedPattern.Off
        : thermal is Guards.ThermalState.Throttled or Guards.ThermalState.Paused ? LedPattern.FastBlink
        : generating ? LedPattern.SlowBlink
        : LedPattern.Steady;
}
