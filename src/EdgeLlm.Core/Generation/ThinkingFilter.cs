namespace EdgeLlm.Core.Generation;

/// <summary>
/// Removes <c>&lt;think&gt;…&lt;/think&gt;</c> spans from streamed answer text, whatever the piece boundaries: text that
/// could still become a tag is held back until it is known. Used when a thinking model (Qwen3) was asked not to
/// think: the empty thought in the prompt usually suffices, and this makes sure a thought never reaches the user.
/// </summary>
public sealed class ThinkingFilter
{
    private const string Open = "<think>", Close = "</think>";
    private readonly System.Text.StringBuilder _pending = new();
    private bool _inside;

    // The model's own template puts "\n\n" after </think>; they are not part of the answer, even in a later piece.
    private bool _afterThought;

    /// <summary>Adds generated text; returns what may be shown now.</summary>
    public string Push(string piece)
    {
        _pending.Append(piece);
        var visible = new System.Text.StringBuilder();
        while (true)
        {
            if (_afterThought) TrimLeadingNewlines();
            string text = _pending.ToString();
            string tag = _inside ? Close : Open;
            int at = text.IndexOf(tag, StringComparison.Ordinal);
            if (at >= 0)
            {
                if (!_inside) visible.Append(text, 0, at);
                _pending.Remove(0, at + tag.Length);
                _afterThought = _inside;
                _inside = !_inside;
                continue;
            }
            // Keep the longest suffix that is a prefix of the tag: it may complete with the next piece.
            int keep = PartialTagLength(text, tag);
            if (!_inside) visible.Append(text, 0, text.Length - keep);
            _pending.Remove(0, text.Length - keep);
            return visible.ToString();
        }
    }

    /// <summary>The end of the answer: held-back text that never became a tag is shown; an unclosed thought is dropped.</summary>
    public string Flush()
    {
        string rest = _inside ? "" : _pending.ToString();
        _pending.Clear();
        return rest;
    }

    private void TrimLeadingNewlines()
    {
        int n = 0;
        while (n < _pending.Length && _pending[n] == '\n') n++;
        _pending.Remove(0, n);
        if (_pending.Length > 0) _afterThought = false;
    }

    private static int PartialTagLength(string text, string tag)
    {
        for (int n = Math.Min(tag.Length - 1, text.Length); n > 0; n--)
            if (text.AsSpan(text.Length - n).SequenceEqual(tag.AsSpan(0, n))) return n;
        return 0;
    }
}
