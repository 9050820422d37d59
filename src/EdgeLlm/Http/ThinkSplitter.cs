namespace EdgeLlm.Http;

/// <summary>
/// Splits a thinking model's streamed answer into its thought (<c>&lt;think&gt;…&lt;/think&gt;</c> at the start) and the
/// answer proper, for the APIs that carry them apart (ollama's <c>message.thinking</c>). Partial markers are held back.
/// </summary>
public sealed class ThinkSplitter
{
    private const string Open = "<think>";
    private const string Close = "</think>";
    private enum State { Start, Thinking, Answer }

    private State _state = State.Start;
    private string _held = "";
    private bool _afterThought;

    /// <summary>Takes a piece; returns the thought and answer text that can be sent now.</summary>
    public (string Thinking, string Answer) Push(string piece)
    {
        if (_state == State.Answer) return ("", AnswerText(piece));
        _held += piece;
        if (_state == State.Start)
        {
            string lead = _held.TrimStart();
            if (lead.Length < Open.Length && Open.StartsWith(lead, StringComparison.Ordinal)) return ("", "");
            if (!lead.StartsWith(Open, StringComparison.Ordinal))
            {
                _state = State.Answer;
                string all = _held;
                _held = "";
                return ("", all);
            }
            _held = lead[Open.Length..].TrimStart('\n');
            _state = State.Thinking;
        }
        int close = _held.IndexOf(Close, StringComparison.Ordinal);
        if (close >= 0)
        {
            string thought = _held[..close].TrimEnd('\n');
            string answer = _held[(close + Close.Length)..];
            _held = "";
            _state = State.Answer;
            _afterThought = true;
            return (thought, AnswerText(answer));
        }
        int keep = 0;
        for (int n = Math.Min(Close.Length - 1, _held.Length); n > 0; n--)
            if (_held.AsSpan(_held.Length - n).SequenceEqual(Close.AsSpan(0, n)))
            {
                keep = n;
                break;
            }
        // Newlines before </think> belong to the template, not the thought: held until the thought goes on.
        string ready = _held[..^keep];
        keep += ready.Length - ready.TrimEnd('\n').Length;
        ready = _held[..^keep];
        _held = _held[^keep..];
        return (ready, "");
    }

    /// <summary>The blank lines between the thought and the answer are the template's too.</summary>
    private string AnswerText(string text)
    {
        if (!_afterThought) return text;
        string trimmed = text.TrimStart('\n');
        if (trimmed.Length > 0) _afterThought = false;
        return trimmed;
    }

    /// <summary>What is still held at the end (an unfinished thought stays thought).</summary>
    public (string Thinking, string Answer) Finish()
    {
        string held = _held;
        _held = "";
        return _state == State.Thinking ? (held, "") : ("", held);
    }
}
