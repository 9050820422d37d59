using System.Globalization;

namespace EdgeLlm.Core.Sampling.Grammar.Schema;

/// <summary>
/// A GBNF expression for the integers in [min, max] written without leading zeros: split by digit count, then by
/// leading digit, into pieces like <c>"1" [3-9] [0-9]{2}</c>. A few dozen alternatives for any 64-bit range.
/// </summary>
internal static class IntegerRange
{
    public static string Expression(long min, long max)
    {
        if (min > max) throw new ArgumentOutOfRangeException(nameof(max), "empty range");
        var parts = new List<string>();
        if (min < 0)
        {
            // Negative part: "-" then the magnitudes |max'|..|min| with max' the largest negative in range.
            long low = max < 0 ? -max : 1;
            parts.Add($"\"-\" ({NonNegative(low, -min)})");
        }
        if (max >= 0) parts.Add(NonNegative(Math.Max(0, min), max));
        return string.Join(" | ", parts);
    }

    private static string NonNegative(long min, long max)
    {
        var parts = new List<string>();
        string low = min.ToString(CultureInfo.InvariantCulture);
        string high = max.ToString(CultureInfo.InvariantCulture);
        // One piece per digit count: numbers of different lengths never share a prefix pattern.
        for (int digits = low.Length; digits <= high.Length; digits++)
        {
            string from = digits == low.Length ? low : "1" + new string('0', digits - 1);
            string to = digits == high.Length ? high : new string('9', digits);
            parts.Add(SameLength(from, to));
        }
        return string.Join(" | ", parts);
    }

    /// <summary>All digit strings of one length between <paramref name="from"/> and <paramref name="to"/> (inclusive).</summary>
    private static string SameLength(string from, string to)
    {
        if (from.Length == 0) return "\"\"";
        if (from == to) return $"\"{from}\"";
        char a = from[0], b = to[0];
        string restFrom = from[1..], restTo = to[1..];
        if (a == b) return $"\"{a}\" ({SameLength(restFrom, restTo)})";
        var parts = new List<string>();
        int n = restFrom.Length;
        char firstFull = a, lastFull = b;
        if (restFrom.Any(c => c != '0'))
        {
            parts.Add($"\"{a}\" ({SameLength(restFrom, new string('9', n))})");
            firstFull = (char)(a + 1);
        }
        if (restTo.Any(c => c != '9'))
        {
            lastFull = (char)(b - 1);
        }
        if (firstFull <= lastFull) parts.Add($"[{firstFull}-{lastFull}]" + (n > 0 ? $" [0-9]{{{n}}}" : ""));
        if (lastFull != b) parts.Add($"\"{b}\" ({SameLength(new string('0', n), restTo)})");
        return string.Join(" | ", parts);
    }
}
