using System.Globalization;

namespace EdgeLlm.Config;

/// <summary>
/// The one range rule of a numeric setting, shared by the config file (and its environment variables and flags),
/// the command line of run/ask and the wire protocol, so that a value accepted in one place is accepted in all.
/// </summary>
/// <param name="Key">The name as the config file and the wire spell it (snake_case).</param>
public sealed record NumberField(string Key, double Min, double Max, bool Integer = false, bool MinExclusive = false)
{
    public string Expected => Integer
        ? Invariant($"an integer from {Min} to {Max}")
        : MinExclusive ? Invariant($"a number above {Min} and at most {Max}") : Invariant($"a number from {Min} to {Max}");

    /// <summary>Null when <paramref name="value"/> is allowed, else "must be ..., got ..." (without the key).</summary>
    public string? Check(double value)
    {
        bool ok = double.IsFinite(value)
            && (MinExclusive ? value > Min : value >= Min) && value <= Max
            && (!Integer || Math.Floor(value) == value);
        return ok ? null : Invariant($"must be {Expected}, got {value}");
    }

    /// <summary>Parses text (flag, environment, file) and checks it; null when fine, else the problem (without the key).</summary>
    public string? Parse(string text, out double value)
    {
        string s = text.Trim();
        bool parsed;
        if (Integer)
        {
            parsed = long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out long l);
            value = l;
        }
        else
        {
            parsed = double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        }
        return parsed && Check(value) is null ? null : $"must be {Expected}, got '{text}'";
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
