namespace EdgeLlm.Core.Tokenizers;

/// <summary>GPT-2's pre-tokenizer: <c>'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+</c>.</summary>
/// <remarks>
/// The alternatives are tried in that order at each position, as a backtracking regex engine would.
/// <c>\s+(?!\S)</c> leaves the last space of a run for the next word (so " world" keeps its space),
/// except at the end of the fragment where the whole run is one piece.
/// </remarks>
internal sealed class Gpt2SplitRule : SplitRule
{
    public static readonly Gpt2SplitRule Instance = new();

    public override void Split(ReadOnlySpan<int> cps, int start, int end, List<int> pieces)
    {
        var w = new Window(cps, start, end);
        var emit = new Emitter(start, pieces);
        int pos = start;
        while (pos < end)
        {
            int c = w.At(pos);

            if (c == '\'' && pos + 1 < end)
            {
                int next = w.At(pos + 1);
                if (next is 's' or 't' or 'm' or 'd')
                {
                    emit.To(pos += 2);
                    continue;
                }
                int after = w.At(pos + 2);
                if ((next, after) is ('r', 'e') or ('v', 'e') or ('l', 'l'))
                {
                    emit.To(pos += 3);
                    continue;
                }
            }

            // " ?X+" alternatives: an optional single space, then a run of one class.
            var lead = c == ' ' ? w.Class(pos + 1) : w.Class(pos);
            int body = pos + (c == ' ' ? 1 : 0);
            if ((lead & CodepointClass.Letter) != 0)
            {
                pos = body;
                while ((w.Class(pos) & CodepointClass.Letter) != 0) pos++;
                emit.To(pos);
                continue;
            }
            if ((lead & CodepointClass.Number) != 0)
            {
                pos = body;
                while ((w.Class(pos) & CodepointClass.Number) != 0) pos++;
                emit.To(pos);
                continue;
            }
            if ((lead & WordLike) == 0 && lead != CodepointClass.None)
            {
                pos = body;
                for (var k = w.Class(pos); (k & WordLike) == 0 && k != CodepointClass.None; k = w.Class(++pos)) { }
                emit.To(pos);
                continue;
            }

            int spaces = 0;
            while ((w.Class(pos + spaces) & CodepointClass.Whitespace) != 0) spaces++;
            if (spaces > 1 && pos + spaces < end)
                pos += spaces - 1;
            else if (spaces > 0)
                pos += spaces;
            else
                pos++;
            emit.To(pos);
        }
    }
}
