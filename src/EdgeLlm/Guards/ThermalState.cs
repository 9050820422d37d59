namespace EdgeLlm.Guards;

/// <summary>What the thermal guard currently does to generation.</summary>
public enum ThermalState
{
    /// <summary>No sensor, or the guard is switched off.</summary>
    Disabled,
    Normal,
    Throttled,
    Paused,
}
