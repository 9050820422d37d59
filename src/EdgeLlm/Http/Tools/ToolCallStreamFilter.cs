namespace EdgeLlm.Http.Tools;

/// <summary>
/// Streams an answer while keeping a tool call out of it: text that could be the start of a call marker is held back
/// until it is known, and from a marker on (or from a leading <c>{</c>, <c>[</c> or ```) everything is captured for
/// <see cref="ToolCallParser"/> at the end instead of being sent as answer text.
/// </summary>
public sealed class ToolCallStreamFilter
{
    private string _held = "";
    private System.Text.StringBuilder? _captured;
    private bool _started;

    public bool IsCapturing => _captured is not null;

    /// <summary>Takes the next piece of answer; returns the text that is safe to send now (may be empty).</summary>
    public string Push(string piece)
    {
        if (_captured is not null)
        {
            _captured.Append(piece);
            return "";
        }
        _held += piece;
        if (!_started)
        {
            string lead = _held.TrimStart();
            if (lead.Length == 0) return "";
            _started = true;
            // A bare call opens the answer: Llama 3's JSON object, Mistral's list (its [TOOL_CALLS] is a control token
            // and prints nothing), or a fenced block.
            if (lead[0] is '{' or '[' or '`')
            {
                _captured = new System.Text.StringBuilder(_held);
                _held = "";
                return "";
            }
        }
        int earliest = -1;
        foreach (string trigger in ToolCallParser.Triggers)
        {
            int i = _held.IndexOf(trigger, StringComparison.Ordinal);
            if (i >= 0 && (earliest < 0 || i < earliest)) earliest = i;
        }
        if (earliest >= 0)
        {
            string before = _held[..earliest];
            _captured = new System.Text.StringBuilder(_held[earliest..]);
            _held = "";
            return before;
        }
        int keep = HeldPrefixLength(_held);
        string ready = _held[..^keep];
        _held = _held[^keep..];
        return ready;
    }

    /// <summary>At the end: text still held back (to send), and the captured call text (null when none).</summary>
    public (string Pending, string? Captured) Finish()
    {
        string pending = _held;
        _held = "";
        return (pending, _captured?.ToString());
    }

    /// <summary>Length of the longest end of <paramref name="text"/> that begins some trigger.</summary>
    private static int HeldPrefixLength(string text)
    {
        int best = 0;
        foreach (string trigger in ToolCallParser.Triggers)
            for (int n = Math.Min(trigger.Length - 1, text.Length); n > best; n--)
                if (text.AsSpan(text.Length - n).SequenceEqual(trigger.AsSpan(0, n)))
                {
                    best = n;
                    break;
                }
        return best;
    }
}
