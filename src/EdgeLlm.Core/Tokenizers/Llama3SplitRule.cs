namespace EdgeLlm.Core.Tokenizers;

/// <summary>
/// The Llama 3 / Qwen 2 pre-tokenizer:
/// <c>(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+</c>
/// with N = 3 (Llama 3) or 1 (Qwen 2, which spells every digit separately).
/// </summary>
/// <remarks>
/// Differences from GPT-2 that matter: a word may start with any one non-letter, non-digit, non-newline
/// character (so "(hello" or "\thello" is one piece), contractions are case-insensitive, and newlines
/// are grouped with the whitespace before them.
/// </remarks>
internal sealed class Llama3SplitRule(int maxDigits) : SplitRule
{
    public static readonly Llama3SplitRule Llama3 = new(3);
    public static readonly Llama3SplitRule Qwen2 = new(1);

    public override void Split(ReadOnlySpan<int> cps, int start, int end, List<int> pieces)
    {
        var w = new Window(cps, start, end);
        var emit = new Emitter(start, pieces);
        int pos = start;
        while (pos < end)
        {
            int c = w.At(pos);
            var cls = w.Class(pos);

            if (c == '\'' && pos + 1 < end)
            {
                int next = AsciiLower(w.At(pos + 1));
                if (next is 's' or 't' or 'm' or 'd')
                {
                    emit.To(pos += 2);
                    continue;
                }
                int after = AsciiLower(w.At(pos + 2));
                if ((next, after) is ('r', 'e') or ('v', 'e') or ('l', 'l'))
                {
                    emit.To(pos += 3);
                    continue;
                }
            }

            if (c is not ('\r' or '\n') && (cls & CodepointClass.Number) == 0
                && ((cls | w.Class(pos + 1)) & CodepointClass.Letter) != 0)
            {
                pos++;
                while ((w.Class(pos) & CodepointClass.Letter) != 0) pos++;
                emit.To(pos);
                continue;
            }

            if ((cls & CodepointClass.Number) != 0)
            {
                int groupStart = pos;
                while ((w.Class(pos) & CodepointClass.Number) != 0)
                {
                    if (++pos - groupStart >= maxDigits)
                    {
                        emit.To(pos);
                        groupStart = pos;
                    }
                }
                emit.To(pos);
                continue;
            }

            var lead = c == ' ' ? w.Class(pos + 1) : cls;
            if ((lead & WordLike) == 0 && cls != CodepointClass.None)
            {
                pos += c == ' ' ? 1 : 0;
                for (var k = w.Class(pos); (k & WordLike) == 0 && k != CodepointClass.None; k = w.Class(++pos)) { }
                while (w.At(pos) is '\r' or '\n') pos++;
                emit.To(pos);
                continue;
            }

            int spaces = 0, afterLastNewline = 0;
            while ((w.Class(pos + spaces) & CodepointClass.Whitespace) != 0)
            {
                if (w.At(pos + spaces) is '\r' or '\n') afterLastNewline = pos + spaces + 1;
                spaces++;
            }
            if (afterLastNewline > 0)
                pos = afterLastNewline;
            else if (spaces > 1 && pos + spaces < end)
                pos += spaces - 1;
            else if (spaces > 0)
                pos += spaces;
            else
                pos++;
            emit.To(pos);
        }
    }

    /// <summary>Case folding for the contraction suffixes only, which are ASCII; -1 (outside the fragment) stays -1.</summary>
    private static int AsciiLower(int c) => c is >= 'A' and <= 'Z' ? c + 32 : c;
}
