using EdgeLlm.Core.Gguf;
using EdgeLlm.Core.Tokenizers;

namespace EdgeLlm.Core.Tests.Tokenizers;

public class MetadataValidationTests
{
    private static readonly string[] Tokens = ["<unk>", "<s>", "</s>", "▁", "a", "b", "▁a"];

    private static GgufTestWriter ValidSpm() => new GgufTestWriter()
        .String("tokenizer.ggml.model", "llama")
        .Strings("tokenizer.ggml.tokens", Tokens)
        .Floats("tokenizer.ggml.scores", [0, 0, 0, -1, -2, -3, -4])
        .Int32s("tokenizer.ggml.token_type", [2, 3, 3, 1, 1, 1, 1]);

    [Fact]
    public void A_well_formed_file_loads()
    {
        using var gguf = ValidSpm().UInt32("tokenizer.ggml.padding_token_id", uint.MaxValue).Bool("tokenizer.ggml.add_bos_token", false).Open();
        var tok = Tokenizer.FromGguf(gguf.File);
        Assert.Equal((7, 1, 2, -1, false), (tok.VocabSize, tok.BosId, tok.EosId, tok.PaddingId, tok.AddBos));
        Assert.Equal([6, 5], tok.Encode("ab", addBos: false, parseSpecial: false));
    }

    [Fact]
    public void Missing_model_key() =>
        AssertRejected(new GgufTestWriter().Strings("tokenizer.ggml.tokens", Tokens), "tokenizer.ggml.model");

    [Fact]
    public void Unsupported_model_is_named() =>
        AssertRejected(new GgufTestWriter().String("tokenizer.ggml.model", "bert").Strings("tokenizer.ggml.tokens", Tokens), "'bert'");

    [Fact]
    public void Tokens_of_the_wrong_type() =>
        AssertRejected(new GgufTestWriter().String("tokenizer.ggml.model", "llama").Int32s("tokenizer.ggml.tokens", [1, 2, 3]), "tokenizer.ggml.tokens");

    [Fact]
    public void Scores_of_the_wrong_length() =>
        AssertRejected(new GgufTestWriter().String("tokenizer.ggml.model", "llama").Strings("tokenizer.ggml.tokens", Tokens).Floats("tokenizer.ggml.scores", [0, 0]), "2 scores");

    [Fact]
    public void Token_types_of_the_wrong_length() =>
        AssertRejected(new GgufTestWriter().String("tokenizer.ggml.model", "llama").Strings("tokenizer.ggml.tokens", Tokens).Int32s("tokenizer.ggml.token_type", [1]), "1 token types");

    [Fact]
    public void Special_id_outside_the_vocabulary() =>
        AssertRejected(ValidSpm().UInt32("tokenizer.ggml.eos_token_id", 7), "eos_token_id");

    [Fact]
    public void Bos_flag_of_the_wrong_type() =>
        AssertRejected(ValidSpm().String("tokenizer.ggml.add_bos_token", "yes"), "add_bos_token");

    [Fact]
    public void Gpt2_without_merges() =>
        AssertRejected(new GgufTestWriter().String("tokenizer.ggml.model", "gpt2").Strings("tokenizer.ggml.tokens", ["a", "b"]), "merges");

    [Fact]
    public void Unknown_pre_tokenizer_is_named() =>
        AssertRejected(new GgufTestWriter().String("tokenizer.ggml.model", "gpt2").String("tokenizer.ggml.pre", "martian")
            .Strings("tokenizer.ggml.tokens", ["a", "b"]).Strings("tokenizer.ggml.merges", ["a b"]), "'martian'");

    [Fact]
    public void Duplicate_token_text()
    {
        var ex = Assert.Throws<GgufException>(() => Tokenizer.Create(new TokenizerMetadata("llama", ["<unk>", "<s>", "</s>", "x", "x"])));
        Assert.Contains("token 4", ex.Message);
    }

    [Fact]
    public void Empty_vocabulary() =>
        Assert.Throws<GgufException>(() => Tokenizer.Create(new TokenizerMetadata("llama", [])));

    [Fact]
    public void Bos_requested_but_absent()
    {
        var ex = Assert.Throws<GgufException>(() => Tokenizer.Create(new TokenizerMetadata("gpt2", ["a", "b"]) { Merges = ["a b"], AddBos = true }));
        Assert.Contains("BOS", ex.Message);
    }

    private static void AssertRejected(GgufTestWriter writer, string expectedInMessage)
    {
        using var gguf = writer.Open();
        var ex = Assert.Throws<GgufException>(() => Tokenizer.FromGguf(gguf.File));
        Assert.Contains(expectedInMessage, ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
    }
}
