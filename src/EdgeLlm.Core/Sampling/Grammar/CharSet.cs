namespace EdgeLlm.Core.Sampling.Grammar;

/// <summary>
/// The code points one grammar terminal matches: a literal character, a class such as <c>[a-z_]</c>, a negated
/// class <c>[^"\\]</c> or <c>.</c>. Ranges are kept sorted and merged; ASCII gets a bitmap because almost every
/// character the matcher tests is ASCII.
/// </summary>
internal sealed class CharSet
{
    private readonly int[] _lows;
    private readonly int[] _highs;
    private readonly bool _negated;
    private readonly ulong _ascii0, _ascii1; // membership of 0..63 and 64..127, negation already applied

    public const int MaxCodePoint = 0x10FFFF;

    public CharSet(IEnumerable<(int Low, int High)> ranges, bool negated)
    {
        var merged = new List<(int Low, int High)>();
        foreach (var r in ranges.Where(r => r.Low <= r.High).OrderBy(r => r.Low))
        {
            if (merged.Count > 0 && r.Low <= merged[^1].High + 1)
                merged[^1] = (merged[^1].Low, Math.Max(merged[^1].High, r.High));
            else
                merged.Add(r);
        }
        _lows = merged.Select(r => r.Low).ToArray();
        _highs = merged.Select(r => r.High).ToArray();
        _negated = negated;
        for (int c = 0; c < 128; c++)
        {
            if (!ContainsSlow(c)) continue;
            if (c < 64) _ascii0 |= 1UL << c;
            else _ascii1 |= 1UL << (c - 64);
        }
    }

    public static CharSet Single(int codePoint) => new([(codePoint, codePoint)], negated: false);

    /// <summary><c>.</c>: any code point.</summary>
    public static CharSet Any { get; } = new([], negated: true);

    public bool Contains(int codePoint)
    {
        if ((uint)codePoint < 64) return (_ascii0 >> codePoint & 1) != 0;
        if ((uint)codePoint < 128) return (_ascii1 >> (codePoint - 64) & 1) != 0;
        return ContainsSlow(codePoint);
    }

    /// <summary>Whether some code point in [low, high] is in the set: used for a token that ends inside a UTF-8 sequence.</summary>
    public bool Intersects(int low, int high)
    {
        if (!_negated)
        {
            for (int i = 0; i < _lows.Length; i++)
                if (_lows[i] <= high && _highs[i] >= low) return true;
            return false;
        }
        // Negated: the range intersects unless the excluded ranges cover all of it.
        int next = low;
        for (int i = 0; i < _lows.Length && next <= high; i++)
        {
            if (_highs[i] < next) continue;
            if (_lows[i] > next) return true;
            next = _highs[i] + 1;
        }
        return next <= high;
    }

    /// <summary>Whether the set can match anything at all (an empty class like <c>[^\x00-\U0010FFFF]</c> cannot).</summary>
    public bool IsEmpty => !Intersects(0, MaxCodePoint);

    private bool ContainsSlow(int codePoint)
    {
        int lo = 0, hi = _lows.Length - 1;
        bool inRanges = false;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (codePoint < _lows[mid]) hi = mid - 1;
            else if (codePoint > _highs[mid]) lo = mid + 1;
            else { inRanges = true; break; }
        }
        return inRanges != _negated;
    }
}
