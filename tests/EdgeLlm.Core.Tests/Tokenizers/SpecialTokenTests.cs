using EdgeLlm.Core.Tokenizers;

namespace EdgeLlm.Core.Tests.Tokenizers;

public class SpecialTokenTests
{
    [Fact]
    public void User_text_spelling_eos_does_not_produce_eos()
    {
        var tok = TokenizerFixtures.LlamaSpm;
        int[] ids = tok.Encode("Stop here </s> and <s> go on", addBos: true, parseSpecial: false);
        Assert.Equal(tok.BosId, ids[0]);
        Assert.DoesNotContain(tok.EosId, ids);
        Assert.Single(ids, id => id == tok.BosId);
        Assert.Equal("Stop here </s> and <s> go on", tok.Decode(ids, stripLeadingSpace: true));
    }

    [Fact]
    public void Template_text_spelling_eos_produces_eos()
    {
        var tok = TokenizerFixtures.LlamaSpm;
        int[] ids = tok.Encode("Stop here</s><s>go on", addBos: false, parseSpecial: true);
        Assert.Contains(tok.EosId, ids);
        Assert.Contains(tok.BosId, ids);
        // After a special token SentencePiece starts a new "sentence", with its own space prefix.
        int[] tail = tok.Encode("go on", addBos: false, parseSpecial: false);
        Assert.Equal(tail, ids[^tail.Length..]);
        Assert.Equal(tok.BosId, ids[^(tail.Length + 1)]);
        Assert.Equal(tok.EosId, ids[^(tail.Length + 2)]);
    }

    [Fact]
    public void Gpt2_endoftext_is_only_recognised_in_template_text()
    {
        var tok = TokenizerFixtures.Gpt2;
        Assert.Equal(50256, tok.EosId);
        Assert.DoesNotContain(50256, tok.Encode("a<|endoftext|>b", addBos: false, parseSpecial: false));
        Assert.Equal([64, 50256, 65], tok.Encode("a<|endoftext|>b", addBos: false, parseSpecial: true));
    }

    [Fact]
    public void Roles_and_kinds_of_the_llama_vocabulary()
    {
        var tok = TokenizerFixtures.LlamaSpm;
        Assert.Equal(("llama", 32000, 1, 2, 0), (tok.ModelType, tok.VocabSize, tok.BosId, tok.EosId, tok.UnknownId));
        Assert.True(tok.AddBos);
        Assert.False(tok.AddEos);
        Assert.True(tok.AddSpacePrefix);
        Assert.Equal([2], tok.EndOfGenerationIds.Order());
        Assert.True(tok.IsControl(1));
        Assert.True(tok.IsControl(2));
        Assert.False(tok.IsControl(0));
        Assert.Equal(TokenKind.Byte, tok.KindOf(3));
        Assert.Equal(2, tok.FindToken("</s>"));
        Assert.NotNull(tok.FindToken("▁Hello"));
        Assert.Null(tok.FindToken("no such token here"));
        Assert.Throws<ArgumentOutOfRangeException>(() => tok.TokenBytes(32000));
    }

    [Fact]
    public void Roles_of_the_gpt2_vocabulary()
    {
        var tok = TokenizerFixtures.Gpt2;
        Assert.Equal("gpt2", tok.ModelType);
        Assert.Equal("gpt-2", ((BytePairTokenizer)tok).PreTokenizerName);
        Assert.False(tok.AddBos);
        Assert.False(tok.AddSpacePrefix);
        Assert.Equal([50256], tok.EndOfGenerationIds.Order());
        Assert.True(tok.IsControl(50256));
    }

    [Fact]
    public void TinyStories_start_and_end_markers()
    {
        var tok = TokenizerFixtures.Model("TinyStories-656K.f16.gguf");
        Assert.Equal("<|start_story|>", tok.TokenText(tok.BosId));
        Assert.Equal("<|end_story|>", tok.TokenText(tok.EosId));
        Assert.Contains(tok.EosId, tok.EndOfGenerationIds);
        Assert.DoesNotContain(tok.BosId, tok.Encode("<|start_story|>Once", addBos: false, parseSpecial: false));
        Assert.Equal(tok.BosId, tok.Encode("<|start_story|>Once", addBos: false, parseSpecial: true)[0]);
    }

    [Fact]
    public void User_defined_tokens_are_cut_out_even_from_user_text()
    {
        var tok = SyntheticVocab.Spm(("<|user|>", TokenKind.UserDefined), ("<|im_end|>", TokenKind.Normal));
        int userId = tok.FindToken("<|user|>")!.Value, imEnd = tok.FindToken("<|im_end|>")!.Value;

        Assert.Contains(userId, tok.Encode("a<|user|>b", addBos: false, parseSpecial: false));
        // End-of-turn texts are made control tokens whatever the file says, so only template text can produce them.
        Assert.True(tok.IsControl(imEnd));
        Assert.Contains(imEnd, tok.EndOfGenerationIds);
        Assert.Equal(imEnd, tok.EndOfTurnId);
        Assert.DoesNotContain(imEnd, tok.Encode("a<|im_end|>b", addBos: false, parseSpecial: false));
        Assert.Contains(imEnd, tok.Encode("a<|im_end|>b", addBos: false, parseSpecial: true));
        // As in the reference, text after any special token gets the space prefix again, so this does not round-trip.
        Assert.Equal("a<|user|> b", tok.Decode(tok.Encode("a<|user|>b", addBos: false, parseSpecial: false), stripLeadingSpace: true));
    }

    [Fact]
    public void Longer_special_tokens_win_over_shorter_ones_inside_them()
    {
        var tok = SyntheticVocab.Spm(("<a>", TokenKind.Control), ("<a><b>", TokenKind.Control));
        Assert.Equal([tok.FindToken("<a><b>")!.Value, tok.FindToken("<a>")!.Value],
            tok.Encode("<a><b><a>", addBos: false, parseSpecial: true));
    }
}
