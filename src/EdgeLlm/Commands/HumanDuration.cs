using System.Globalization;

namespace EdgeLlm.Commands;

/// <summary>A duration as a person reads it: "42 s", "5 min 03 s", "2 h 03 min", "3 d 04 h".</summary>
internal static class HumanDuration
{
    public static string Format(TimeSpan t)
    {
        if (t < TimeSpan.Zero) t = TimeSpan.Zero;
        var inv = CultureInfo.InvariantCulture;
        return t.TotalMinutes < 1 ? string.Create(inv, $"{(int)t.TotalSeconds} s")
            : t.TotalHours < 1 ? string.Create(inv, $"{(int)t.TotalMinutes} min {t.Seconds:00} s")
            : t.TotalDays < 1 ? string.Create(inv, $"{(int)t.TotalHours} h {t.Minutes:00} min")
            : string.Create(inv, $"{(int)t.TotalDays} d {t.Hours:00} h");
    }
}
