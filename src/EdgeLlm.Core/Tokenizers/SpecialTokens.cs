using System.Collections.Frozen;
using EdgeLlm.Core.Gguf;

namespace EdgeLlm.Core.Tokenizers;

/// <summary>The ids with a role (BOS, EOS, end of turn...) and the set that ends generation.</summary>
/// <remarks>
/// Many converted models only name BOS and EOS in metadata; chat models' end-of-turn tokens
/// (<c>&lt;|im_end|&gt;</c>, <c>&lt;|eot_id|&gt;</c>...) are recognised by their text, as the reference
/// loader does, and are forced to control kind so that user text can never spell them.
/// -1 means "none".
/// </remarks>
internal sealed record SpecialTokens(int Bos, int Eos, int Unknown, int Padding, int EndOfTurn, IReadOnlySet<int> EndOfGeneration)
{
    /// <summary>Converters write "no such token" as -1 into an unsigned field; it means the same as an absent key.</summary>
    private const long UnsetUInt32 = uint.MaxValue;

    private static readonly string[] EndOfTurnTexts =
        ["<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<EOT>", "<｜end▁of▁sentence｜>"];

    private static readonly string[] EndOfGenerationTexts =
        ["<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|eom_id|>", "<EOT>"];

    /// <summary>Fill-in-the-middle markers: recognised (and made control) by text; the last three also end generation.</summary>
    private static readonly (string[] Texts, bool EndsGeneration)[] FillInTheMiddleRoles =
    [
        (["<|fim_prefix|>", "<fim-prefix>", "<｜fim▁begin｜>", "<PRE>"], false),
        (["<|fim_suffix|>", "<fim-suffix>", "<｜fim▁hole｜>", "<SUF>"], false),
        (["<|fim_middle|>", "<fim-middle>", "<｜fim▁end｜>", "<MID>"], false),
        (["<|fim_pad|>", "<fim-pad>", "<PAD>"], true),
        (["<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>"], true),
        (["<|file_sep|>"], true),
    ];

    /// <summary>Resolves the roles; may change entries of <paramref name="kinds"/> to <see cref="TokenKind.Control"/>.</summary>
    public static SpecialTokens Resolve(TokenizerMetadata md, bool isSentencePiece, string[] texts, TokenKind[] kinds)
    {
        int n = texts.Length;
        int Default(int id) => id < n ? id : -1;
        bool chatGlm = md.Pre == "chatglm-bpe";

        int bos = Id(md.BosId, "bos_token_id", chatGlm ? -1 : Default(isSentencePiece ? 1 : 11), n);
        int eos = Id(md.EosId, "eos_token_id", Default(isSentencePiece ? 2 : 11), n);
        int unk = Id(md.UnknownId, "unknown_token_id", isSentencePiece ? Default(0) : -1, n);
        int pad = Id(md.PaddingId, "padding_token_id", -1, n);
        int eot = Id(md.EotId, "eot_token_id", -1, n);
        int eom = Id(md.EomId, "eom_token_id", -1, n);

        var eog = new HashSet<int>();
        if (eot < 0) eot = FindByText(texts, EndOfTurnTexts, kinds);
        if (eom < 0) eom = FindByText(texts, ["<|eom_id|>"], kinds);
        foreach (var (roleTexts, endsGeneration) in FillInTheMiddleRoles)
        {
            int id = FindByText(texts, roleTexts, kinds);
            if (id >= 0 && endsGeneration) eog.Add(id);
        }
        for (int id = 0; id < n; id++)
        {
            if (Array.IndexOf(EndOfGenerationTexts, texts[id]) < 0) continue;
            eog.Add(id);
            kinds[id] = TokenKind.Control;
        }
        foreach (int id in (int[])[eos, eot, eom])
            if (id >= 0) eog.Add(id);

        return new SpecialTokens(bos, eos, unk, pad, eot, eog.ToFrozenSet());
    }

    private static int Id(long? value, string key, int fallback, int vocabSize)
    {
        if (value is null or -1 or UnsetUInt32) return fallback;
        if (value < 0 || value >= vocabSize)
            throw new GgufException($"metadata 'tokenizer.ggml.{key}' is {value}, outside the vocabulary of {vocabSize} tokens");
        return (int)value;
    }

    /// <summary>The lowest id whose text is one of <paramref name="candidates"/>, forced to control kind; -1 if none.</summary>
    private static int FindByText(string[] texts, string[] candidates, TokenKind[] kinds)
    {
        for (int id = 0; id < texts.Length; id++)
        {
            if (Array.IndexOf(candidates, texts[id]) < 0) continue;
            kinds[id] = TokenKind.Control;
            return id;
        }
        return -1;
    }
}
