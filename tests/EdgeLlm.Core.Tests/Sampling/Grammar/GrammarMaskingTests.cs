using EdgeLlm.Core.Sampling;
using EdgeLlm.Core.Sampling.Grammar;
using EdgeLlm.Core.Tests.Tokenizers;
using EdgeLlm.Core.Tokenizers;

namespace EdgeLlm.Core.Tests.Sampling.Grammar;

/// <summary>Token-level masking on hand-made vocabularies: partial UTF-8 across tokens, multi-character tokens, end tokens, dead ends.</summary>
public class GrammarMaskingTests
{
    private static readonly Tokenizer Vocab = SyntheticVocab.Spm(("é", TokenKind.Normal), ("é!", TokenKind.Normal), ("!", TokenKind.Normal), ("ab", TokenKind.Normal), ("😀", TokenKind.Normal));

    private static int Id(string text) => Vocab.FindToken(text) ?? throw new InvalidOperationException(text);
    private static int Byte(int b) => Id($"<0x{b:X2}>");

    private static ITokenConstraint Matcher(string gbnf) => OutputConstraint.FromGbnf(gbnf).CreateMatcher(Vocab, new GrammarTableCache());

    private static HashSet<int> Allowed(ITokenConstraint matcher)
    {
        var logits = new float[Vocab.VocabSize];
        int count = matcher.Mask(logits);
        var allowed = Enumerable.Range(0, logits.Length).Where(i => logits[i] == 0f).ToHashSet();
        Assert.Equal(count, allowed.Count);
        // The cheap per-token check agrees with the mask for every token.
        for (int id = 0; id < Vocab.VocabSize; id++) Assert.Equal(allowed.Contains(id), matcher.Allows(id));
        return allowed;
    }

    [Fact]
    public void A_character_can_be_split_across_byte_tokens()
    {
        var m = Matcher("root ::= \"é\" \"!\"");
        Assert.Equal(new HashSet<int> { Byte(0xC3), Id("é"), Id("é!") }, Allowed(m));
        m.Accept(Byte(0xC3));
        Assert.Equal(new HashSet<int> { Byte(0xA9) }, Allowed(m)); // only the continuation byte, not another lead byte
        m.Accept(Byte(0xA9));
        Assert.False(m.MustEnd);
        Assert.Equal(new HashSet<int> { Id("!"), Byte('!') }, Allowed(m));
        m.Accept(Id("!"));
        Assert.True(m.MustEnd);
    }

    [Fact]
    public void A_four_byte_character_can_arrive_in_any_split()
    {
        var m = Matcher("root ::= [\\U0001F600-\\U0001F64F]");
        Assert.Contains(Id("😀"), Allowed(m));
        Assert.Contains(Byte(0xF0), Allowed(m));
        Assert.DoesNotContain(Byte(0xE0), Allowed(m));
        m.Accept(Byte(0xF0));
        m.Accept(Byte(0x9F));
        m.Accept(Byte(0x98));
        Assert.Equal(new HashSet<int>(Enumerable.Range(0x80, 0x40).Select(Byte)), Allowed(m)); // U+1F600..U+1F63F
    }

    [Fact]
    public void A_token_spanning_several_characters_is_checked_as_a_whole()
    {
        var m = Matcher("root ::= \"é!\" | \"ab\"");
        Assert.Equal(new HashSet<int> { Byte(0xC3), Id("é"), Id("é!"), Id("a"), Id("ab"), Byte('a') }, Allowed(m));
        m.Accept(Id("é!"));
        Assert.True(m.MustEnd);
    }

    [Fact]
    public void End_of_generation_is_allowed_only_where_the_grammar_may_end()
    {
        var m = Matcher("root ::= \"a\"+");
        Assert.DoesNotContain(Vocab.EosId, Allowed(m));
        m.Accept(Id("a"));
        Assert.Contains(Vocab.EosId, Allowed(m));
        Assert.False(m.MustEnd); // more "a" may follow
        Assert.DoesNotContain(Vocab.BosId, Allowed(m)); // control tokens print nothing a grammar could match
    }

    [Fact]
    public void A_grammar_that_can_only_end_must_end_before_any_token()
    {
        var m = Matcher("root ::= \"\"");
        Assert.True(m.MustEnd);
        Assert.Equal(new HashSet<int> { Vocab.EosId }, Allowed(m));
    }

    [Fact]
    public void A_grammar_the_vocabulary_cannot_satisfy_is_a_clear_error()
    {
        // A byte-level vocabulary with only "a", "b" and an end token: "c" cannot be written at all.
        var tiny = Tokenizer.Create(new TokenizerMetadata("gpt2", ["a", "b", "<|end|>"]) { TokenTypes = [1, 1, 3], EosId = 2, BosId = 2, Merges = [] });
        var matcher = OutputConstraint.FromGbnf("root ::= \"a\" \"c\"").CreateMatcher(tiny, new GrammarTableCache());
        var sampler = new Sampler(new SamplingOptions { Temperature = 1f, Seed = 1 }, tiny.VocabSize);
        var logits = new float[3];
        Assert.Equal(tiny.FindToken("a"), sampler.Sample(logits, matcher));
        matcher.Accept(tiny.FindToken("a")!.Value);
        logits = new float[3];
        var e = Assert.Throws<GrammarException>(() => sampler.Sample(logits, matcher));
        Assert.Contains("no token of the vocabulary can continue the grammar", e.Message);
    }

    [Fact]
    public void The_mask_comes_after_the_penalties_and_before_top_k()
    {
        // Token "b" is the best logit but refused; with top-k 1 the chain must still pick an allowed token,
        // which it can only do if the mask runs before top-k.
        var m = Matcher("root ::= \"a\" | \"ab\"");
        var sampler = new Sampler(new SamplingOptions { Temperature = 1f, TopK = 1, TopP = 1f, MinP = 0f, Seed = 3 }, Vocab.VocabSize);
        var logits = new float[Vocab.VocabSize];
        logits[Id("b")] = 10f;
        logits[Id("ab")] = 5f;
        Assert.Equal(Id("ab"), sampler.Sample(logits, m));
    }

    [Fact]
    public void Masks_are_cached_per_state_and_reused()
    {
        var table = new GrammarTableCache();
        var constraint = OutputConstraint.FromGbnf("root ::= [a-z]+");
        var first = constraint.CreateMatcher(Vocab, table);
        var logits = new float[Vocab.VocabSize];
        int allowed = first.Mask(logits);
        first.Accept(Id("a"));
        var again = constraint.CreateMatcher(Vocab, table);
        logits = new float[Vocab.VocabSize];
        Assert.Equal(allowed, again.Mask(logits));
        Assert.Equal(((GrammarMatcher)first).StatesExplored, ((GrammarMatcher)again).StatesExplored); // one shared state space
    }
}
