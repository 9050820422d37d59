using System.Buffers;
using System.Text;
using EdgeLlm.Core.Gguf;

namespace EdgeLlm.Core.Tokenizers;

/// <summary>Byte-level BPE (<c>tokenizer.ggml.model = gpt2</c>): GPT-2, Llama 3, Qwen 2, SmolLM and kin.</summary>
/// <remarks>
/// The text is cut into words by the <see cref="PreTokenizer"/>, each word's UTF-8 bytes are written as
/// GPT-2 byte characters (<see cref="ByteToUnicode"/>), and adjacent pieces are merged by the rank of
/// their pair in <c>tokenizer.ggml.merges</c>, lowest rank first. Since every byte has a token, no
/// input is ever unrepresentable.
/// </remarks>
public sealed class BytePairTokenizer : Tokenizer
{
    private readonly PreTokenizer _preTokenizer;

    /// <summary>Merge rank by its GGUF text "left right" (pieces never contain a plain space, so the key is unambiguous).</summary>
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _mergeRanks;

    private BytePairTokenizer(Vocabulary vocabulary, SpecialTokens special, bool addBos, bool addEos, bool addSpacePrefix,
        PreTokenizer preTokenizer, Dictionary<string, int> mergeRanks)
        : base(vocabulary, special, addBos, addEos, addSpacePrefix, BuildPieces(vocabulary))
    {
        _preTokenizer = preTokenizer;
        _mergeRanks = mergeRanks.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public override string ModelType => "gpt2";

    /// <summary>The <c>tokenizer.ggml.pre</c> rules in use ("default" when the file names none).</summary>
    public string PreTokenizerName => _preTokenizer.Name;

    internal static BytePairTokenizer Create(TokenizerMetadata md, TokenKind[] kinds)
    {
        var merges = md.Merges ?? throw new GgufException("metadata 'tokenizer.ggml.merges' is missing: a gpt2 tokenizer needs its merges");
        var preTokenizer = PreTokenizer.ForName(md.Pre);
        var special = SpecialTokens.Resolve(md, isSentencePiece: false, md.Tokens, kinds);
        var vocabulary = new Vocabulary(md.Tokens, md.Scores ?? new float[md.Tokens.Length], kinds);

        var ranks = new Dictionary<string, int>(merges.Length, StringComparer.Ordinal);
        for (int rank = 0; rank < merges.Length; rank++)
        {
            // A merge needs a separator with something on each side; the first occurrence of a pair keeps its rank.
            int space = merges[rank].IndexOf(' ', 1 < merges[rank].Length ? 1 : 0);
            if (space > 0 && space < merges[rank].Length - 1) ranks.TryAdd(merges[rank], rank);
        }

        bool addBos = md.AddBos ?? preTokenizer.AddBosByDefault, addEos = md.AddEos ?? false;
        RequireIds(special, addBos, addEos);
        return new BytePairTokenizer(vocabulary, special, addBos, addEos, md.AddSpacePrefix ?? false, preTokenizer, ranks);
    }

    private protected override void EncodeText(ReadOnlySpan<char> text, bool atStart, List<int> output, int maxTokens)
    {
        int maxBytes = Encoding.UTF8.GetMaxByteCount(text.Length);
        int[] cps = ArrayPool<int>.Shared.Rent(text.Length);
        byte[] utf8 = ArrayPool<byte>.Shared.Rent(maxBytes);
        char[] encoded = ArrayPool<char>.Shared.Rent(maxBytes);
        // Scratch for the merge loop, sized for the longest possible word and shared by all words.
        Symbol[] symbols = ArrayPool<Symbol>.Shared.Rent(maxBytes);
        char[] key = ArrayPool<char>.Shared.Rent(2 * maxBytes + 1);
        var queue = new BigramQueue(64);
        var words = new List<int>();
        try
        {
            int count = 0;
            foreach (var rune in text.EnumerateRunes()) cps[count++] = rune.Value;
            _preTokenizer.Split(cps.AsSpan(0, count), words);

            int charStart = 0, cp = 0;
            foreach (int length in words)
            {
                // Merges never cross a word, so the ids so far are final: past the budget the rest is not worth merging.
                if (output.Count > maxTokens) break;
                int charEnd = charStart;
                for (int k = 0; k < length; k++) charEnd += cps[cp++] > 0xFFFF ? 2 : 1;
                int n = Encoding.UTF8.GetBytes(text[charStart..charEnd], utf8);
                for (int k = 0; k < n; k++) encoded[k] = ByteToUnicode.Encode(utf8[k]);
                queue.Clear();
                MergeWord(encoded.AsSpan(0, n), symbols, key, ref queue, output);
                charStart = charEnd;
            }
        }
        finally
        {
            queue.Dispose();
            ArrayPool<char>.Shared.Return(key);
            ArrayPool<Symbol>.Shared.Return(symbols);
            ArrayPool<char>.Shared.Return(encoded);
            ArrayPool<byte>.Shared.Return(utf8);
            ArrayPool<int>.Shared.Return(cps);
        }
    }

    /// <summary>Runs the merges over one word written in byte characters (one char per byte).</summary>
    private void MergeWord(ReadOnlySpan<char> word, Symbol[] symbols, char[] key, ref BigramQueue queue, List<int> output)
    {
        if (_preTokenizer.IgnoreMerges && Vocabulary.TryGetId(word, out int whole))
        {
            output.Add(whole);
            return;
        }

        int length = word.Length;
        for (int i = 0; i < length; i++)
            symbols[i] = new Symbol { Start = i, Length = 1, Prev = i - 1, Next = i + 1 < length ? i + 1 : -1 };
        for (int i = 1; i < length; i++) TryAddBigram(word, symbols, key, ref queue, i - 1, i);

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

            TryAddBigram(word, symbols, key, ref queue, left.Prev, bigram.Left);
            TryAddBigram(word, symbols, key, ref queue, bigram.Left, left.Next);
        }

        for (int i = 0; length > 0 && i >= 0; i = symbols[i].Next)
            EmitPiece(word.Slice(symbols[i].Start, symbols[i].Length), output);
    }

    private void TryAddBigram(ReadOnlySpan<char> word, Symbol[] symbols, char[] key, ref BigramQueue queue, int left, int right)
    {
        if (left < 0 || right < 0) return;
        var l = word.Slice(symbols[left].Start, symbols[left].Length);
        var r = word.Slice(symbols[right].Start, symbols[right].Length);
        l.CopyTo(key);
        key[l.Length] = ' ';
        r.CopyTo(key.AsSpan(l.Length + 1));
        // Ranks become scores (lower rank = higher score); exact in a float for any realistic merge count (< 2^24).
        if (_mergeRanks.TryGetValue(key.AsSpan(0, l.Length + 1 + r.Length), out int rank))
            queue.Push(new Bigram(left, right, l.Length + r.Length, -rank));
    }

    private void EmitPiece(ReadOnlySpan<char> piece, List<int> output)
    {
        if (Vocabulary.TryGetId(piece, out int id))
        {
            output.Add(id);
            return;
        }
        // Only reachable with a vocabulary that lacks some byte characters: keep whatever single ASCII characters it has.
        foreach (char c in piece)
            if (c < 0x80 && Vocabulary.TryGetId([c], out id)) output.Add(id);
    }

    /// <summary>Normal tokens map back through the byte characters; user-defined tokens are literal text; the rest render as nothing.</summary>
    private static PieceTable BuildPieces(Vocabulary vocabulary) => PieceTable.Build(vocabulary.Count, (id, bytes) =>
    {
        string text = vocabulary.Text(id);
        switch (vocabulary.Kind(id))
        {
            case TokenKind.Normal:
                Span<byte> utf8 = stackalloc byte[4];
                foreach (var rune in text.EnumerateRunes())
                {
                    // A character outside the byte alphabet cannot come from the encoder; pass it through as text.
                    int b = rune.Value <= char.MaxValue ? ByteToUnicode.Decode((char)rune.Value) : -1;
                    if (b >= 0)
                        bytes.Add((byte)b);
                    else
                        bytes.AddRange(utf8[..rune.EncodeToUtf8(utf8)]);
                }
                break;
            case TokenKind.UserDefined:
                bytes.AddRange(Encoding.UTF8.GetBytes(text));
                break;
        }
    });
}
