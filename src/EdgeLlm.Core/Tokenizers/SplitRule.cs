namespace EdgeLlm.Core.Tokenizers;

/// <summary>One pre-tokenizer regex, hand-written: cuts a fragment of code points into consecutive pieces.</summary>
/// <remarks>
/// Like a regex "split" that keeps both matches and the text between them, every code point ends up in
/// exactly one piece. Rules look at most one code point beyond the fragment, and see nothing there
/// (<see cref="CodepointClass.None"/>): a fragment is treated as a whole input, as the reference does.
/// </remarks>
internal abstract class SplitRule
{
    /// <summary>Appends to <paramref name="pieces"/> the lengths of the pieces <c>cps[start..end)</c> is cut into.</summary>
    public abstract void Split(ReadOnlySpan<int> cps, int start, int end, List<int> pieces);

    /// <summary>Reads code points and their classes within one fragment.</summary>
    private protected readonly ref struct Window(ReadOnlySpan<int> cps, int start, int end)
    {
        private readonly ReadOnlySpan<int> _cps = cps;

        public int Start { get; } = start;
        public int End { get; } = end;

        /// <summary>The code point at <paramref name="pos"/>, or -1 outside the fragment.</summary>
        public int At(int pos) => pos >= Start && pos < End ? _cps[pos] : -1;

        public CodepointClass Class(int pos) => pos >= Start && pos < End ? Codepoints.Classify(_cps[pos]) : CodepointClass.None;
    }

    /// <summary>Emits pieces as a cursor advances through a fragment.</summary>
    private protected struct Emitter(int start, List<int> pieces)
    {
        private int _last = start;

        public void To(int end)
        {
            if (end > _last) pieces.Add(end - _last);
            _last = end;
        }
    }

    private protected const CodepointClass WordLike = CodepointClass.Whitespace | CodepointClass.Letter | CodepointClass.Number;
}
