namespace EdgeLlm.Guards;

/// <summary>Thresholds of the thermal guard, in degrees Celsius.</summary>
/// <remarks>The defaults stay below the Pi firmware's own throttle at 85 °C, so EdgeLlm slows down first and gracefully.</remarks>
public sealed record ThermalSettings
{
    public bool Enabled { get; init; } = true;
    public string SensorPath { get; init; } = SysfsTemperatureSensor.DefaultPath;

    /// <summary>Above this, generation is throttled (a growing pause between tokens).</summary>
    public double SoftLimit { get; init; } = 75;

    /// <summary>Above this, generation pauses until the temperature falls to <see cref="Resume"/>.</summary>
    public double HardLimit { get; init; } = 82;

    /// <summary>Temperature at which a pause ends.</summary>
    public double Resume { get; init; } = 70;

    /// <summary>Throttling ends this far below the soft limit, so the state does not flap around one value.</summary>
    public double Hysteresis { get; init; } = 3;

    /// <summary>While paused: true makes new requests fail with <c>overheated</c>; false queues them until the pause ends.</summary>
    public bool RejectWhenPaused { get; init; }

    /// <summary>Longest pause inserted between two tokens while throttled.</summary>
    public TimeSpan MaxTokenDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Checks the thresholds are ordered; returns an error naming the key, or null.</summary>
    public string? Validate()
    {
        if (!(HardLimit > SoftLimit)) return $"thermal.hard_limit ({HardLimit}) must be above thermal.soft_limit ({SoftLimit})";
        if (!(Resume < HardLimit)) return $"thermal.resume ({Resume}) must be below thermal.hard_limit ({HardLimit})";
        if (Hysteresis < 0) return "thermal.hysteresis must not be negative";
        if (PollInterval < TimeSpan.FromMilliseconds(100)) return "thermal.poll interval must be at least 100 ms";
        return null;
    }
}
