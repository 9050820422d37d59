namespace EdgeLlm.Core.Tokenizers;

/// <summary>Simple regexes that match runs of one character class: <c>\p{N}</c>, <c>\p{N}+</c>, <c>[0-9]{3}</c>, punctuation runs.</summary>
/// <remarks>
/// Works like a regex iterator: scan for the leftmost match, emit the text before it (if any) and the
/// match as separate pieces, continue after the match. Text between matches stays one piece, so in
/// "1234a" with <c>[0-9]{3}</c> the pieces are "123" and "4a".
/// </remarks>
internal sealed class MatchSplitRule : SplitRule
{
    private readonly Func<int, bool> _matches;
    private readonly int _minRun;
    private readonly int _maxRun;

    private MatchSplitRule(Func<int, bool> matches, int minRun, int maxRun) => (_matches, _minRun, _maxRun) = (matches, minRun, maxRun);

    /// <summary><c>\p{N}</c>: every number character on its own.</summary>
    public static readonly MatchSplitRule EachDigit = new(IsNumber, 1, 1);

    /// <summary><c>\p{N}+</c>.</summary>
    public static readonly MatchSplitRule DigitRuns = new(IsNumber, 1, int.MaxValue);

    /// <summary><c>[0-9][0-9][0-9]</c>.</summary>
    public static readonly MatchSplitRule AsciiDigitTriples = new(c => c is >= '0' and <= '9', 3, 3);

    /// <summary><c>[\p{P}\$\+&lt;=&gt;\^~\|]+</c>, the first rule of the fallback ("default") pre-tokenizer.</summary>
    public static readonly MatchSplitRule PunctuationRuns = new(c => IsPunctuation(c) || c is '$' or '+' or '<' or '=' or '>' or '^' or '~' or '|', 1, int.MaxValue);

    /// <summary>Falcon's variant of <see cref="PunctuationRuns"/>, which adds the backtick.</summary>
    public static readonly MatchSplitRule FalconPunctuationRuns = new(c => IsPunctuation(c) || c is '$' or '+' or '<' or '=' or '>' or '^' or '~' or '|' or '`', 1, int.MaxValue);

    public override void Split(ReadOnlySpan<int> cps, int start, int end, List<int> pieces)
    {
        var emit = new Emitter(start, pieces);
        int pos = start;
        while (pos < end)
        {
            int run = 0;
            while (pos + run < end && run < _maxRun && _matches(cps[pos + run])) run++;
            if (run < _minRun)
            {
                pos++;
                continue;
            }
            emit.To(pos);
            emit.To(pos += run);
        }
        emit.To(end);
    }

    private static bool IsNumber(int c) => (Codepoints.Classify(c) & CodepointClass.Number) != 0;

    private static bool IsPunctuation(int c) => (Codepoints.Classify(c) & CodepointClass.Punctuation) != 0;
}
