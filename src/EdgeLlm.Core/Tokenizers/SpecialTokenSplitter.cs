namespace EdgeLlm.Core.Tokenizers;

/// <summary>A run of input text still to be tokenized (<see cref="TokenId"/> -1), or a special token found verbatim.</summary>
internal readonly record struct Fragment(int Start, int Length, int TokenId)
{
    public bool IsText => TokenId < 0;
}

/// <summary>Cuts special-token texts out of the input before the model's own algorithm sees it.</summary>
/// <remarks>
/// User-defined tokens are always cut out (they are whole words the model was given, not markup);
/// control and unknown tokens only when the caller says the text is trusted template text. Tokens are
/// tried longest first over whatever text earlier, longer tokens left, which is how the reference
/// resolves overlaps such as <c>&lt;|im_start|&gt;</c> versus a shorter token inside it.
/// </remarks>
internal static class SpecialTokenSplitter
{
    public static List<Fragment> Split(Vocabulary vocab, ReadOnlySpan<char> text, bool parseSpecial)
    {
        var fragments = new List<Fragment>(4) { new(0, text.Length, -1) };
        List<Fragment>? scratch = null;
        foreach (int id in vocab.SpecialTokensLongestFirst)
        {
            if (!parseSpecial && vocab.Kind(id) is TokenKind.Control or TokenKind.Unknown) continue;
            string special = vocab.Text(id);
            if (text.IndexOf(special, StringComparison.Ordinal) < 0) continue;

            scratch ??= new List<Fragment>(8);
            scratch.Clear();
            foreach (var fragment in fragments)
            {
                if (!fragment.IsText)
                {
                    scratch.Add(fragment);
                    continue;
                }
                int start = fragment.Start, end = fragment.Start + fragment.Length;
                while (start < end)
                {
                    int found = text[start..end].IndexOf(special, StringComparison.Ordinal);
                    if (found < 0) break;
                    if (found > 0) scratch.Add(new(start, found, -1));
                    scratch.Add(new(start + found, special.Length, id));
                    start += found + special.Length;
                }
                if (start < end) scratch.Add(new(start, end - start, -1));
            }
            (fragments, scratch) = (scratch, fragments);
        }
        return fragments;
    }
}
