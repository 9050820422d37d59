using System.Buffers;
using System.Text;

namespace EdgeLlm.Core.Tokenizers;

/// <summary>SentencePiece BPE (<c>tokenizer.ggml.model = llama</c>): Llama 1/2, Mistral, TinyLlama and kin.</summary>
/// <remarks>
/// Spaces become U+2581 ("▁"), the text is split into characters, and adjacent pieces are merged while
/// their concatenation is a vocabulary token, best score first. Characters that end up outside the
/// vocabulary are spelled as byte tokens <c>&lt;0xAB&gt;</c> (byte fallback).
/// </remarks>
public sealed class SentencePieceTokenizer : Tokenizer
{
    private const char SpaceMarker = '\u2581';

    /// <summary>Token id of each byte value's fallback token, -1 where the vocabulary lacks it.</summary>
    private readonly int[] _byteTokens;

    private SentencePieceTokenizer(Vocabulary vocabulary, SpecialTokens special, bool addBos, bool addEos, bool addSpacePrefix)
        : base(vocabulary, special, addBos, addEos, addSpacePrefix, BuildPieces(vocabulary))
    {
        _byteTokens = new int[256];
        for (int b = 0; b < 256; b++)
        {
            // Byte tokens are spelled <0xAB> with upper-case hex; vocabularies without them may still hold the plain ASCII character.
            _byteTokens[b] = Vocabulary.TryGetId($"<0x{b:X2}>", out int id) ? id
                : b is > 0 and < 128 && Vocabulary.TryGetId([(char)b], out id) ? id
                : -1;
        }
    }

    public override string ModelType => "llama";

    internal static SentencePieceTokenizer Create(TokenizerMetadata md, TokenKind[] kinds)
    {
        var special = SpecialTokens.Resolve(md, isSentencePiece: true, md.Tokens, kinds);
        var vocabulary = new Vocabulary(md.Tokens, md.Scores ?? new float[md.Tokens.Length], kinds);
        bool addBos = md.AddBos ?? true, addEos = md.AddEos ?? false;
        RequireIds(special, addBos, addEos);
        return new SentencePieceTokenizer(vocabulary, special, addBos, addEos, md.AddSpacePrefix ?? true);
    }

    private protected override void EncodeText(ReadOnlySpan<char> text, bool atStart, List<int> output, int maxTokens)
    {
        if (maxTokens == int.MaxValue)
        {
            EncodeRun(text, atStart, output);
            return;
        }
        // With a budget: word by word, each word starting at a space that no merge can reach across (see WordEnd).
        for (int start = 0; start < text.Length && output.Count <= maxTokens;)
        {
            int end = WordEnd(text, start);
            EncodeRun(text[start..end], atStart && start == 0, output);
            start = end;
        }
    }

    /// <summary>
    /// Where the word starting at <paramref name="start"/> ends: before the next space that follows a character no
    /// vocabulary piece has in front of a "▁". No merge can join the two sides of such a space (the merged piece would
    /// have to contain that pair), and the merge order within each side is the same as in the whole text (the queue
    /// orders by score, then position), so encoding word by word gives exactly the ids of encoding the whole run.
    /// </summary>
    private int WordEnd(ReadOnlySpan<char> text, int start)
    {
        bool[] joins = _joinsBeforeSpace ??= CharsBeforeSpace(Vocabulary);
        for (int i = start + 1; i < text.Length; i++)
        {
            int next = text[i..].IndexOf(' ');
            if (next < 0) return text.Length;
            i += next;
            char before = text[i - 1] == ' ' ? SpaceMarker : text[i - 1];
            if (i > start && !joins[before]) return i;
        }
        return text.Length;
    }

    private bool[]? _joinsBeforeSpace;

    /// <summary>The characters that some vocabulary piece has immediately before a "▁".</summary>
    private static bool[] CharsBeforeSpace(Vocabulary vocabulary)
    {
        var joins = new bool[char.MaxValue + 1];
        for (int id = 0; id < vocabulary.Count; id++)
        {
            string text = vocabulary.Text(id);
            for (int i = text.IndexOf(SpaceMarker, 1); i > 0; i = i + 1 < text.Length ? text.IndexOf(SpaceMarker, i + 1) : -1)
                joins[text[i - 1]] = true;
        }
        return joins;
    }

    /// <summary>The merges over one run of text, as the reference does them.</summary>
    private void EncodeRun(ReadOnlySpan<char> text, bool atStart, List<int> output)
    {
        bool prefix = AddSpacePrefix && atStart;
        int length = text.Length + (prefix ? 1 : 0);
        char[] buffer = ArrayPool<char>.Shared.Rent(length);
        Symbol[] symbols = ArrayPool<Symbol>.Shared.Rent(length);
        var queue = new BigramQueue(length);
        try
        {
            var work = buffer.AsSpan(0, length);
            if (prefix) work[0] = ' ';
            text.CopyTo(work[(prefix ? 1 : 0)..]);
            work.Replace(' ', SpaceMarker);

            int count = 0;
            for (int i = 0; i < length; count++)
            {
                int n = char.IsHighSurrogate(work[i]) && i + 1 < length && char.IsLowSurrogate(work[i + 1]) ? 2 : 1;
                symbols[count] = new Symbol { Start = i, Length = n, Prev = count - 1, Next = i + n < length ? count + 1 : -1 };
                i += n;
            }

            for (int i = 1; i < count; i++) TryAddBigram(work, symbols, ref queue, i - 1, i);

            while (queue.Count > 0)
            {
                var bigram = queue.Pop();
                ref var left = ref symbols[bigram.Left];
                ref var right = ref symbols[bigram.Right];
                if (left.Length == 0 || right.Length == 0 || left.Length + right.Length != bigram.Size) continue;

                left.Length += right.Length;
                right.Length = 0;
                left.Next = right.Next;
                if (right.Next >= 0) symbols[right.Next].Prev = bigram.Left;

                TryAddBigram(work, symbols, ref queue, left.Prev, bigram.Left);
                TryAddBigram(work, symbols, ref queue, bigram.Left, left.Next);
            }

            for (int i = 0; count > 0 && i >= 0; i = symbols[i].Next)
                EmitSymbol(work.Slice(symbols[i].Start, symbols[i].Length), output);
        }
        finally
        {
            queue.Dispose();
            ArrayPool<Symbol>.Shared.Return(symbols);
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    private void TryAddBigram(ReadOnlySpan<char> work, Symbol[] symbols, ref BigramQueue queue, int left, int right)
    {
        if (left < 0 || right < 0) return;
        int size = symbols[left].Length + symbols[right].Length;
        // Any vocabulary entry counts, whatever its kind: the reference does not filter here either.
        if (Vocabulary.TryGetId(work.Slice(symbols[left].Start, size), out int id))
            queue.Push(new Bigram(left, right, size, Vocabulary.Score(id)));
    }

    /// <summary>A finished piece is a vocabulary token unless it is a single character the vocabulary lacks.</summary>
    private void EmitSymbol(ReadOnlySpan<char> piece, List<int> output)
    {
        if (Vocabulary.TryGetId(piece, out int id))
        {
            output.Add(id);
            return;
        }
        Span<byte> utf8 = stackalloc byte[8];
        int n = Encoding.UTF8.GetBytes(piece, utf8);
        foreach (byte b in utf8[..n])
        {
            // Without a byte token the reference aborts; a model that was trained with <unk> is better served by it.
            int fallback = _byteTokens[b] >= 0 ? _byteTokens[b] : UnknownId;
            if (fallback >= 0) output.Add(fallback);
        }
    }

    /// <summary>▁ becomes a space, byte tokens their byte; control, unknown and unused tokens render as nothing.</summary>
    private static PieceTable BuildPieces(Vocabulary vocabulary) => PieceTable.Build(vocabulary.Count, (id, bytes) =>
    {
        string text = vocabulary.Text(id);
        switch (vocabulary.Kind(id))
        {
            case TokenKind.Normal:
                bytes.AddRange(Encoding.UTF8.GetBytes(text.Replace(SpaceMarker, ' ')));
                break;
            case TokenKind.UserDefined:
                bytes.AddRange(Encoding.UTF8.GetBytes(text));
                break;
            case TokenKind.Byte when TryParseByteToken(text, out byte b):
                bytes.Add(b);
                break;
        }
    });

    private static bool TryParseByteToken(string text, out byte value)
    {
        value = 0;
        return text.Length == 6 && text.StartsWith("<0x", StringComparison.Ordinal) && text[5] == '>'
            && byte.TryParse(text.AsSpan(3, 2), System.Globalization.NumberStyles.AllowHexSpecifier, null, out value);
    }
}
