using EdgeLlm.Core.Sampling;
using EdgeLlm.Core.Sampling.Grammar;
using EdgeLlm.Core.Tests.Tokenizers;
using EdgeLlm.Core.Tokenizers;

namespace EdgeLlm.Core.Tests.Sampling.Grammar;

/// <summary>Lazy grammars (tool calls): free text until a trigger word, token or leading pattern, constrained from there on.</summary>
public class LazyGrammarTests
{
    private static readonly Tokenizer Vocab = SyntheticVocab.Spm(("<tool_call>", TokenKind.UserDefined), ("<", TokenKind.Normal), ("tool", TokenKind.Normal),
        ("_call>", TokenKind.Normal), ("{", TokenKind.Normal), ("}", TokenKind.Normal), ("\"", TokenKind.Normal), ("xyz", TokenKind.Normal));

    private const string ToolCall = "root ::= \"<tool_call>\" \"{\" [a-z]* \"}\"";

    private static int Id(string text) => Vocab.FindToken(text) ?? throw new InvalidOperationException(text);

    private static ITokenConstraint Lazy(string gbnf, GrammarTriggers triggers) =>
        OutputConstraint.FromGbnf(gbnf).Lazy(triggers).CreateMatcher(Vocab, new GrammarTableCache());

    [Fact]
    public void Free_until_the_trigger_word_then_constrained_from_the_word_on()
    {
        var m = Lazy(ToolCall, new GrammarTriggers { Words = ["<tool_call>"] });
        Assert.False(m.IsActive);
        Assert.True(m.Allows(Id("xyz")));
        m.Accept(Id("xyz"));
        m.Accept(Id("<"));         // the word arrives in pieces
        m.Accept(Id("tool"));
        Assert.False(m.IsActive);
        m.Accept(Id("_call>"));
        Assert.True(m.IsActive);
        Assert.Equal(3, ((LazyGrammarMatcher)m).ConstrainedFrom);
        Assert.False(m.Allows(Id("xyz")));
        Assert.True(m.Allows(Id("{")));
        var logits = new float[Vocab.VocabSize];
        Assert.True(m.Mask(logits) > 0);
        Assert.True(float.IsNegativeInfinity(logits[Id("}")]));
        m.Accept(Id("{"));
        m.Accept(Id("a"));
        m.Accept(Id("}"));
        Assert.True(m.MustEnd);
    }

    [Fact]
    public void A_trigger_token_switches_the_grammar_on()
    {
        var m = Lazy(ToolCall, new GrammarTriggers { Tokens = [Id("<tool_call>")] });
        m.Accept(Id("a"));
        Assert.False(m.IsActive);
        m.Accept(Id("<tool_call>"));
        Assert.True(m.IsActive);
        Assert.Equal(new[] { Id("{") }, Enumerable.Range(0, Vocab.VocabSize).Where(m.Allows).Except([Id("<0x7B>")]).ToArray());
    }

    [Fact]
    public void A_pattern_at_the_start_of_the_output_starts_the_grammar_at_its_group()
    {
        // "call:" at the very start, then the grammar applies to what follows.
        var m = Lazy("root ::= \"{\" [a-z]+ \"}\"", new GrammarTriggers { Patterns = ["^call:(\\{)"] });
        foreach (string piece in new[] { "c", "a", "l", "l", "<0x3A>" }) m.Accept(Id(piece));
        Assert.False(m.IsActive);
        m.Accept(Id("{"));
        Assert.True(m.IsActive);
        Assert.False(m.Allows(Id("}")));
        Assert.True(m.Allows(Id("xyz")));
    }

    [Fact]
    public void A_pattern_that_matches_later_than_the_start_does_not_trigger()
    {
        var m = Lazy("root ::= \"{\" \"}\"", new GrammarTriggers { Patterns = ["^\\{"] });
        m.Accept(Id("a"));
        m.Accept(Id("{"));
        Assert.False(m.IsActive);
    }

    [Fact]
    public void Trigger_text_the_grammar_rejects_is_a_clear_error()
    {
        var m = Lazy("root ::= \"<tool_call>\" \"{\" \"}\"", new GrammarTriggers { Words = ["tool"] });
        m.Accept(Id("<"));
        var e = Assert.Throws<GrammarException>(() => m.Accept(Id("tool")));
        Assert.Contains("does not fit the grammar", e.Message);
    }

    [Fact]
    public void A_trigger_word_that_is_a_control_token_switches_the_grammar_on_after_it()
    {
        // Llama 3's <|python_tag|> and Mistral's [TOOL_CALLS] print nothing: the word never shows in the output text.
        var vocab = SyntheticVocab.Spm(("<|python_tag|>", TokenKind.Control), ("{", TokenKind.Normal), ("}", TokenKind.Normal), ("xyz", TokenKind.Normal));
        int tag = vocab.FindToken("<|python_tag|>")!.Value;
        var m = OutputConstraint.FromGbnf("root ::= \"{\" [a-z]* \"}\"").Lazy(new GrammarTriggers { Words = ["<|python_tag|>"] })
            .CreateMatcher(vocab, new GrammarTableCache());
        m.Accept(vocab.FindToken("xyz")!.Value);
        Assert.False(m.IsActive);
        m.Accept(tag);
        Assert.True(m.IsActive);
        Assert.True(m.Allows(vocab.FindToken("{")!.Value));
        Assert.False(m.Allows(vocab.FindToken("xyz")!.Value));
    }
}
