using EdgeLlm.Core.Tokenizers;

namespace EdgeLlm.Core.Tests.Tokenizers;

/// <summary>Small hand-made vocabularies for behaviours the fixture files do not exercise.</summary>
internal static class SyntheticVocab
{
    /// <summary>A SentencePiece vocabulary: unk, BOS, EOS, all 256 byte tokens, ▁ and a-z, then <paramref name="extra"/>.</summary>
    public static Tokenizer Spm(params (string Text, TokenKind Kind)[] extra) => Tokenizer.Create(SpmMetadata(extra));

    public static TokenizerMetadata SpmMetadata(params (string Text, TokenKind Kind)[] extra)
    {
        var tokens = new List<(string Text, TokenKind Kind)> { ("<unk>", TokenKind.Unknown), ("<s>", TokenKind.Control), ("</s>", TokenKind.Control) };
        for (int b = 0; b < 256; b++) tokens.Add(($"<0x{b:X2}>", TokenKind.Byte));
        tokens.Add(("▁", TokenKind.Normal));
        for (char c = 'a'; c <= 'z'; c++) tokens.Add((c.ToString(), TokenKind.Normal));
        tokens.AddRange(extra);
        return new TokenizerMetadata("llama", [.. tokens.Select(t => t.Text)])
        {
            Scores = [.. tokens.Select((_, i) => -(float)i)],
            TokenTypes = [.. tokens.Select(t => (long)t.Kind)],
            BosId = 1,
            EosId = 2,
            UnknownId = 0,
        };
    }
}
