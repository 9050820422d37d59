namespace EdgeLlm.Guards;

/// <summary>A source of the SoC temperature.</summary>
public interface ITemperatureSensor
{
    /// <summary>Degrees Celsius, or null when the sensor cannot be read.</summary>
    double? ReadCelsius();
}
