namespace EdgeLlm.Core.Sampling;

/// <summary>Outcome of <see cref="StopStringMatcher.Push"/>.</summary>
/// <param name="Text">Text that is safe to show now (never part of a stop string).</param>
/// <param name="Stopped">True when a stop string was completed; generation should end.</param>
/// <param name="StopString">The stop string that matched, when <paramref name="Stopped"/> is true.</param>
public readonly record struct StopMatch(string Text, bool Stopped, string? StopString = null);

/// <summary>
/// Watches streamed text for stop strings. Text that could still turn out to be the beginning of a stop
/// string is held back until the next piece decides it; text before a stop string is released, the stop
/// string and anything after it are dropped. Matching is ordinal (exact UTF-16), and a held-back or
/// released boundary never splits a surrogate pair.
/// </summary>
public sealed class StopStringMatcher
{
    private readonly string[] _stops;
    private readonly int _maxStopLength;
    private string _held = "";
    private string? _stoppedBy;

    public StopStringMatcher(IEnumerable<string> stopStrings)
    {
        ArgumentNullException.ThrowIfNull(stopStrings);
        var list = new List<string>();
        foreach (string s in stopStrings)
        {
            if (string.IsNullOrEmpty(s))
                throw new ArgumentException("Stop strings must be non-empty.", nameof(stopStrings));
            if (!list.Contains(s))
                list.Add(s);
        }
        _stops = [.. list];
        foreach (string s in _stops)
            _maxStopLength = Math.Max(_maxStopLength, s.Length);
    }

    public StopStringMatcher(params string[] stopStrings) : this((IEnumerable<string>)stopStrings)
    {
    }

    /// <summary>The (deduplicated) stop strings.</summary>
    public IReadOnlyList<string> StopStrings => _stops;

    /// <summary>True once a stop string has been seen; later pushes return nothing.</summary>
    public bool IsStopped => _stoppedBy is not null;

    /// <summary>Characters currently held back.</summary>
    public int HeldLength => _held.Length;

    /// <summary>Feeds the next generated piece.</summary>
    public StopMatch Push(string piece)
    {
        ArgumentNullException.ThrowIfNull(piece);
        if (_stoppedBy is not null)
            return new StopMatch("", true, _stoppedBy);
        if (_stops.Length == 0)
            return new StopMatch(piece, false);
        if (piece.Length == 0)
            return new StopMatch("", false);

        string text = _held.Length == 0 ? piece : _held + piece;

        // Earliest stop string occurrence wins; for equal positions the longest one is reported.
        int stopAt = -1;
        string? hit = null;
        foreach (string stop in _stops)
        {
            int idx = text.IndexOf(stop, StringComparison.Ordinal);
            if (idx >= 0 && (stopAt < 0 || idx < stopAt || (idx == stopAt && stop.Length > hit!.Length)))
            {
                stopAt = idx;
                hit = stop;
            }
        }
        if (hit is not null)
        {
            _held = "";
            _stoppedBy = hit;
            return new StopMatch(text[..stopAt], true, hit);
        }

        int hold = PartialStopSuffixLength(text);
        // Don't release half of a surrogate pair.
        if (hold < text.Length && char.IsHighSurrogate(text[text.Length - hold - 1]))
            hold++;
        _held = hold == 0 ? "" : text[^hold..];
        return new StopMatch(hold == 0 ? text : text[..^hold], false);
    }

    /// <summary>Ends the stream: returns whatever is still held back (empty after a stop).</summary>
    public string Flush()
    {
        string held = _held;
        _held = "";
        return _stoppedBy is null ? held : "";
    }

    /// <summary>Forgets held text and the stopped state.</summary>
    public void Reset()
    {
        _held = "";
        _stoppedBy = null;
    }

    /// <summary>Length of the longest suffix of <paramref name="text"/> that is a proper prefix of some stop string.</summary>
    private int PartialStopSuffixLength(string text)
    {
        int max = Math.Min(text.Length, _maxStopLength - 1);
        for (int len = max; len > 0; len--)
        {
            ReadOnlySpan<char> suffix = text.AsSpan(text.Length - len);
            foreach (string stop in _stops)
            {
                if (stop.Length > len && stop.AsSpan().StartsWith(suffix, StringComparison.Ordinal))
                    return len;
            }
        }
        return 0;
    }
}
