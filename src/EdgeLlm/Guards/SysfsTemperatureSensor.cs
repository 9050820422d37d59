using System.Globalization;

namespace EdgeLlm.Guards;

/// <summary>Reads a Linux thermal zone (<c>/sys/class/thermal/thermal_zone0/temp</c>: millidegrees Celsius as text).</summary>
/// <remarks>The Raspberry Pi's SoC sensor is thermal_zone0. One small read per call; callers poll at most once a second.</remarks>
public sealed class SysfsTemperatureSensor(string path) : ITemperatureSensor
{
    public const string DefaultPath = "/sys/class/thermal/thermal_zone0/temp";

    public string Path { get; } = path;

    public double? ReadCelsius()
    {
        try
        {
            string text = File.ReadAllText(Path).Trim();
            return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long milli) ? milli / 1000.0 : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
