using System.Text;
using EdgeLlm.Core.Sampling.Grammar;

namespace EdgeLlm.Core.Tests.Sampling.Grammar;

public class GbnfParserTests
{
    /// <summary>Whether the whole of <paramref name="text"/> is a complete match, fed one byte at a time.</summary>
    internal static bool Matches(GbnfGrammar grammar, string text)
    {
        var states = new GrammarStates(grammar);
        var state = new GrammarState(states.StartSet);
        foreach (byte b in Encoding.UTF8.GetBytes(text))
            if (!states.Step(ref state, b)) return false;
        return state.Remaining == 0 && states.CanEnd(state.Set);
    }

    public static TheoryData<string> SampleNames() => [.. GrammarSamples.All.Select(s => s.Name)];

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void Sample_grammar_parses_and_matches_exactly_its_language(string name)
    {
        var (_, text, accepts, rejects) = GrammarSamples.All.Single(s => s.Name == name);
        var grammar = GbnfGrammar.Parse(text);
        foreach (string good in accepts) Assert.True(Matches(grammar, good), $"{name} should accept: {good}");
        foreach (string bad in rejects) Assert.False(Matches(grammar, bad), $"{name} should reject: {bad}");
    }

    [Theory]
    [InlineData("root ::= \"a\"\nroot ::= \"b\"", "rule 'root' is defined twice at line 2, column 1")]
    [InlineData("root ::= \"abc", "unterminated string literal at line 1, column 14")]
    [InlineData("root ::= [a-", "unterminated character class at line 1, column 10")]
    [InlineData("root ::= \"a\"\n  x ::= y", "undefined rule 'y' at line 2, column 9")]
    [InlineData("root ::= (\"a\" | \"b\"\n", "expected ')' at line 2, column 1")]
    [InlineData("root ::= \"\\q\"", "unknown escape '\\q' at line 1, column 11")]
    [InlineData("root ::= \"\\x4\"", "expected 2 hex digits in the escape at line 1, column 11")]
    [InlineData("root ::= \"a\"{3,1}", "repetition {3,1} has its maximum below its minimum at line 1, column 18")]
    [InlineData("root ::= * \"a\"", "'*' must follow something to repeat at line 1, column 10")]
    [InlineData("root = \"a\"", "expected '::=' at line 1, column 6")]
    [InlineData("# only a comment\n", "the grammar is empty at line 2, column 1")]
    [InlineData("root ::= [z-a]", "character range ends before it starts at line 1, column 13")]
    public void Syntax_errors_name_the_line_and_column(string text, string message)
    {
        var e = Assert.Throws<GrammarException>(() => GbnfGrammar.Parse(text));
        Assert.Equal(message, e.Message);
        Assert.True(e.Line > 0 && e.Column > 0);
    }

    [Fact]
    public void Missing_root_rule_is_an_error()
    {
        var e = Assert.Throws<GrammarException>(() => GbnfGrammar.Parse("start ::= \"a\""));
        Assert.Contains("no 'root' rule", e.Message);
    }

    [Theory]
    [InlineData("root ::= expr\nexpr ::= expr \"+\" num | num\nnum ::= [0-9]+", "expr")]
    [InlineData("root ::= a\na ::= b \"x\"\nb ::= \"y\"? a", "a")]
    [InlineData("root ::= (\"a\"?)* \"b\"", "root")]
    public void Left_recursion_is_refused_by_name(string text, string rule)
    {
        var e = Assert.Throws<GrammarException>(() => GbnfGrammar.Parse(text));
        Assert.StartsWith($"left recursion in rule '{rule}'", e.Message);
    }

    [Fact]
    public void A_rule_that_can_never_end_is_refused()
    {
        var e = Assert.Throws<GrammarException>(() => GbnfGrammar.Parse("root ::= \"a\" loop\nloop ::= \"b\" loop"));
        Assert.Contains("rule 'loop' can never be completed", e.Message);
    }

    [Fact]
    public void Newline_after_bar_continues_the_rule_and_comments_are_skipped()
    {
        var g = GbnfGrammar.Parse("root ::= \"a\" |   # first\n  \"b\" # second\n# trailing comment\n");
        Assert.True(Matches(g, "a"));
        Assert.True(Matches(g, "b"));
        Assert.False(Matches(g, "ab"));
    }

    [Fact]
    public void Negated_class_and_any_char_work_on_code_points()
    {
        var g = GbnfGrammar.Parse("root ::= [^a-c\\u00e9] . \"!\"");
        Assert.True(Matches(g, "d😀!"));
        Assert.True(Matches(g, "ñé!"));
        Assert.False(Matches(g, "b😀!"));
        Assert.False(Matches(g, "é😀!"));
    }
}
