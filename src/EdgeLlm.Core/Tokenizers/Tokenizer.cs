using System.Text;
using EdgeLlm.Core.Gguf;

namespace EdgeLlm.Core.Tokenizers;

/// <summary>Text to token ids and back, exactly as the reference implementation does for the same GGUF vocabulary.</summary>
/// <remarks>
/// Instances are immutable after construction and safe to use from several threads at once; every
/// encode call keeps its working state on the stack or in rented buffers.
/// </remarks>
public abstract class Tokenizer
{
    private readonly SpecialTokens _special;
    private readonly byte[] _pieceBytes;
    private readonly int[] _pieceOffsets;

    private protected Tokenizer(Vocabulary vocabulary, SpecialTokens special, bool addBos, bool addEos, bool addSpacePrefix, PieceTable pieces)
    {
        Vocabulary = vocabulary;
        _special = special;
        AddBos = addBos;
        AddEos = addEos;
        AddSpacePrefix = addSpacePrefix;
        (_pieceBytes, _pieceOffsets) = (pieces.Bytes, pieces.Offsets);
    }

    internal Vocabulary Vocabulary { get; }

    /// <summary>The GGUF <c>tokenizer.ggml.model</c> this tokenizer implements ("llama" or "gpt2").</summary>
    public abstract string ModelType { get; }

    public int VocabSize => Vocabulary.Count;

    /// <summary>Beginning-of-sequence id, or -1 if the vocabulary has none.</summary>
    public int BosId => _special.Bos;

    /// <summary>End-of-sequence id, or -1 if the vocabulary has none.</summary>
    public int EosId => _special.Eos;

    /// <summary>Unknown-token id, or -1.</summary>
    public int UnknownId => _special.Unknown;

    /// <summary>Padding id, or -1.</summary>
    public int PaddingId => _special.Padding;

    /// <summary>End-of-turn id of chat models (<c>&lt;|im_end|&gt;</c>, <c>&lt;|eot_id|&gt;</c>...), or -1.</summary>
    public int EndOfTurnId => _special.EndOfTurn;

    /// <summary>Whether prompts for this model should start with <see cref="BosId"/>.</summary>
    public bool AddBos { get; }

    /// <summary>Whether the model wants <see cref="EosId"/> appended to encoded text (embedding models); never done by <see cref="Encode(string, bool, bool, int)"/>.</summary>
    public bool AddEos { get; }

    /// <summary>SentencePiece: text is encoded as if preceded by a space (so the first word gets its word-start form).</summary>
    public bool AddSpacePrefix { get; }

    /// <summary>Tokens after which generation stops: EOS plus end-of-turn and similar markers the vocabulary has.</summary>
    public IReadOnlySet<int> EndOfGenerationIds => _special.EndOfGeneration;

    public bool IsEndOfGeneration(int id) => _special.EndOfGeneration.Contains(id);

    public TokenKind KindOf(int id) => Vocabulary.Kind(CheckId(id));

    /// <summary>Control tokens (BOS, EOS, chat markup): never produced from user text, rendered as nothing.</summary>
    public bool IsControl(int id) => KindOf(id) == TokenKind.Control;

    /// <summary>
    /// The most text bytes one token stands for: a text of N bytes needs at least N / this many tokens, which lets a
    /// server refuse a far too long prompt from its length alone, without tokenizing it.
    /// </summary>
    public int LongestPieceBytes
    {
        get
        {
            if (_longestPiece == 0)
            {
                int longest = 1;
                for (int id = 0; id + 1 < _pieceOffsets.Length; id++) longest = Math.Max(longest, _pieceOffsets[id + 1] - _pieceOffsets[id]);
                _longestPiece = longest;
            }
            return _longestPiece;
        }
    }

    private int _longestPiece;

    /// <summary>The token's text as stored in the vocabulary (escaped form: ▁ for spaces, GPT-2 byte characters...).</summary>
    public string TokenText(int id) => Vocabulary.Text(CheckId(id));

    /// <summary>The id of the vocabulary entry whose stored text is exactly <paramref name="text"/>, if any.</summary>
    public int? FindToken(string text) => Vocabulary.TryGetId(text, out int id) ? id : null;

    /// <summary>The bytes a token contributes to decoded text: empty for control and unknown tokens.</summary>
    /// <remarks>A byte-fallback token is a single byte, possibly part of a multi-byte character; see <see cref="CreateDecoder"/>.</remarks>
    public ReadOnlySpan<byte> TokenBytes(int id)
    {
        CheckId(id);
        return _pieceBytes.AsSpan(_pieceOffsets[id], _pieceOffsets[id + 1] - _pieceOffsets[id]);
    }

    /// <summary>A streaming decoder that turns ids into text as they are generated.</summary>
    /// <param name="stripLeadingSpace">
    /// Drop one leading space from the first non-empty piece. Use it for SentencePiece models with
    /// <see cref="AddSpacePrefix"/> when decoding from the start of a prompt, to undo the space the encoder added.
    /// </param>
    public TokenTextDecoder CreateDecoder(bool stripLeadingSpace) => new(this, stripLeadingSpace);

    /// <summary>Decodes a whole sequence at once (same rules as <see cref="CreateDecoder"/>).</summary>
    public string Decode(ReadOnlySpan<int> ids, bool stripLeadingSpace)
    {
        var decoder = CreateDecoder(stripLeadingSpace);
        var text = new StringBuilder();
        foreach (int id in ids) text.Append(decoder.Append(id));
        return text.Append(decoder.Flush()).ToString();
    }

    /// <inheritdoc cref="Encode(ReadOnlySpan{char}, List{int}, bool, bool, int)"/>
    public int[] Encode(string text, bool addBos, bool parseSpecial, int maxTokens = int.MaxValue) =>
        Encode(text.AsSpan(), addBos, parseSpecial, maxTokens);

    /// <inheritdoc cref="Encode(ReadOnlySpan{char}, List{int}, bool, bool, int)"/>
    public int[] Encode(ReadOnlySpan<char> text, bool addBos, bool parseSpecial, int maxTokens = int.MaxValue)
    {
        var output = new List<int>(Math.Min(text.Length, maxTokens) / 3 + 2);
        Encode(text, output, addBos, parseSpecial, maxTokens);
        return [.. output];
    }

    /// <summary>Appends the tokens of <paramref name="text"/> to <paramref name="output"/>.</summary>
    /// <param name="addBos">Start with <see cref="BosId"/> (pass <see cref="AddBos"/> for a model's default).</param>
    /// <param name="parseSpecial">
    /// True for trusted template text: control-token texts such as <c>&lt;/s&gt;</c> become those tokens.
    /// False for anything a user typed: such texts are tokenized as ordinary characters.
    /// </param>
    /// <param name="maxTokens">
    /// A budget for <paramref name="output"/>'s length: once it holds more than this many ids, encoding stops after the
    /// word that crossed it, so refusing a prompt over a token limit costs the limit plus one word of work, not the whole
    /// text. The ids up to there are exactly those of a full encoding. The default has no budget.
    /// </param>
    /// <returns>True when the whole text was encoded; false when it stopped at the budget.</returns>
    public bool Encode(ReadOnlySpan<char> text, List<int> output, bool addBos, bool parseSpecial, int maxTokens = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfNegative(maxTokens);
        if (addBos)
        {
            if (BosId < 0) throw new InvalidOperationException("this vocabulary has no BOS token");
            output.Add(BosId);
        }
        if (output.Count > maxTokens) return false;
        if (text.IsEmpty) return true;

        // The reference works on UTF-8 and turns invalid sequences into U+FFFD; a lone surrogate is the UTF-16 equivalent.
        string? repaired = HasLoneSurrogate(text) ? ReplaceLoneSurrogates(text) : null;
        if (repaired is not null) text = repaired;

        bool afterSpecial = true;
        foreach (var fragment in SpecialTokenSplitter.Split(Vocabulary, text, parseSpecial))
        {
            if (fragment.IsText)
            {
                EncodeText(text.Slice(fragment.Start, fragment.Length), afterSpecial, output, maxTokens);
                afterSpecial = false;
            }
            else
            {
                output.Add(fragment.TokenId);
                afterSpecial = true;
            }
            if (output.Count > maxTokens) return false;
        }
        return true;
    }

    /// <summary>Tokenizes plain text (no special tokens in it).</summary>
    /// <param name="atStart">The text begins the input or follows a special token (SentencePiece adds its space prefix there).</param>
    /// <param name="maxTokens">Stop after the word that makes <paramref name="output"/> longer than this (int.MaxValue: no budget).</param>
    private protected abstract void EncodeText(ReadOnlySpan<char> text, bool atStart, List<int> output, int maxTokens);

    /// <summary>Builds the tokenizer a GGUF file describes.</summary>
    /// <exception cref="GgufException">The tokenizer metadata is missing, inconsistent or of an unsupported kind.</exception>
    public static Tokenizer FromGguf(GgufFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        return Create(TokenizerMetadata.Read(file));
    }

    internal static Tokenizer Create(TokenizerMetadata md)
    {
        int n = md.Tokens.Length;
        if (n == 0) throw new GgufException("tokenizer vocabulary is empty ('tokenizer.ggml.tokens' has no entries)");
        if (md.Scores is not null && md.Scores.Length != n)
            throw new GgufException($"tokenizer vocabulary is inconsistent: {n} tokens but {md.Scores.Length} scores");
        if (md.TokenTypes is not null && md.TokenTypes.Length != n)
            throw new GgufException($"tokenizer vocabulary is inconsistent: {n} tokens but {md.TokenTypes.Length} token types");

        var kinds = new TokenKind[n];
        for (int i = 0; i < n; i++)
            kinds[i] = md.TokenTypes is null ? TokenKind.Normal
                : md.TokenTypes[i] is >= 0 and <= (long)TokenKind.Byte ? (TokenKind)md.TokenTypes[i] : TokenKind.Undefined;

        return md.Model switch
        {
            "llama" => SentencePieceTokenizer.Create(md, kinds),
            "gpt2" => BytePairTokenizer.Create(md, kinds),
            _ => throw new GgufException($"tokenizer model '{md.Model}' is not supported (supported: 'llama' SentencePiece, 'gpt2' byte-level BPE)"),
        };
    }

    /// <summary>Checks the BOS/EOS settings against the ids once the defaults are known.</summary>
    private protected static void RequireIds(SpecialTokens special, bool addBos, bool addEos)
    {
        if (addBos && special.Bos < 0)
            throw new GgufException("tokenizer metadata asks for a BOS token but the vocabulary has none");
        if (addEos && special.Eos < 0)
            throw new GgufException("tokenizer metadata asks for an EOS token but the vocabulary has none");
    }

    private int CheckId(int id) =>
        (uint)id < (uint)Vocabulary.Count ? id : throw new ArgumentOutOfRangeException(nameof(id), id, $"token id outside the vocabulary of {Vocabulary.Count}");

    private static bool HasLoneSurrogate(ReadOnlySpan<char> text)
    {
        int i = text.IndexOfAnyInRange('\uD800', '\uDFFF');
        if (i < 0) return false;
        for (; i < text.Length; i++)
        {
            if (!char.IsSurrogate(text[i])) continue;
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) i++;
            else return true;
        }
        return false;
    }

    private static string ReplaceLoneSurrogates(ReadOnlySpan<char> text) =>
        Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(text.ToString()));
}
