using EdgeLlm.Core.Gguf;

namespace EdgeLlm.Core.Tokenizers;

/// <summary>The token texts, scores and kinds of a vocabulary, with exact text-to-id lookup.</summary>
/// <remarks>
/// Lookups take a <see cref="ReadOnlySpan{T}"/> of chars so the merge loops can probe any slice of the
/// text without allocating a string per candidate pair.
/// </remarks>
internal sealed class Vocabulary
{
    private readonly string[] _texts;
    private readonly float[] _scores;
    private readonly TokenKind[] _kinds;
    private readonly Dictionary<string, int> _ids;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _idsBySpan;

    /// <param name="texts">Token texts; an empty text is renamed <c>[EMPTY_id]</c> as the reference loader does, so it can never match.</param>
    /// <param name="kinds">Token kinds, already adjusted (end-of-generation texts forced to control).</param>
    public Vocabulary(string[] texts, float[] scores, TokenKind[] kinds)
    {
        _texts = new string[texts.Length];
        _scores = scores;
        _kinds = kinds;
        _ids = new Dictionary<string, int>(texts.Length, StringComparer.Ordinal);
        for (int id = 0; id < texts.Length; id++)
        {
            string text = texts[id].Length == 0 ? $"[EMPTY_{id}]" : texts[id];
            _texts[id] = text;
            if (!_ids.TryAdd(text, id))
                throw new GgufException($"tokenizer vocabulary is inconsistent: token {id} has the same text as token {_ids[text]} ('{Printable(text)}')");
        }
        _idsBySpan = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
        SpecialTokensLongestFirst = FindSpecialTokens();
    }

    public int Count => _texts.Length;

    public string Text(int id) => _texts[id];

    public float Score(int id) => _scores[id];

    public TokenKind Kind(int id) => _kinds[id];

    public bool TryGetId(ReadOnlySpan<char> text, out int id) => _idsBySpan.TryGetValue(text, out id);

    /// <summary>Control, user-defined and unknown tokens: the ones recognised verbatim in the text before any merging.</summary>
    /// <remarks>Longest first, so that a token that contains another one wins; ties go to the lower id.</remarks>
    public int[] SpecialTokensLongestFirst { get; }

    private int[] FindSpecialTokens()
    {
        var ids = new List<int>();
        for (int id = 0; id < _kinds.Length; id++)
            if (_kinds[id] is TokenKind.Control or TokenKind.UserDefined or TokenKind.Unknown) ids.Add(id);
        return [.. ids.OrderByDescending(id => System.Text.Encoding.UTF8.GetByteCount(_texts[id])).ThenBy(id => id)];
    }

    /// <summary>A token text fit for a one-line error message.</summary>
    public static string Printable(string text)
    {
        var s = text.Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal);
        return s.Length > 40 ? s[..40] + "..." : s;
    }
}
