namespace EdgeLlm.Transports.Mqtt;

/// <summary>
/// What the guards say about the device, for the MQTT status: plug the thermal guard in with
/// <c>() =&gt; new DeviceCondition(guard.State == ThermalState.Throttled, guard.State == ThermalState.Paused, guard.Temperature)</c>.
/// </summary>
/// <param name="Throttled">Generation runs slowed down (too warm).</param>
/// <param name="Paused">Generation waits (too hot) or requests are refused.</param>
/// <param name="TemperatureCelsius">SoC temperature; null when there is no sensor.</param>
public readonly record struct DeviceCondition(bool Throttled, bool Paused, double? TemperatureCelsius)
{
    public static readonly DeviceCondition Unknown = new(false, false, null);
}
