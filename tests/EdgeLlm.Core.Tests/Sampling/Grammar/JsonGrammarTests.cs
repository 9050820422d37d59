using EdgeLlm.Core.Sampling.Grammar;

namespace EdgeLlm.Core.Tests.Sampling.Grammar;

public class JsonGrammarTests
{
    private static bool Matches(GbnfGrammar grammar, string text) => GbnfParserTests.Matches(grammar, text);

    [Fact]
    public void Builtin_json_grammar_parses_and_matches_json()
    {
        var json = JsonGrammar.Grammar;
        Assert.True(Matches(json, "{\"a\": [1, -2.5e3, true, null, \"x\\u00e9\"]}"));
        Assert.True(Matches(json, "\"just a string\""));
        Assert.True(Matches(json, "42"));
        Assert.False(Matches(json, "{\"a\":}"));
        Assert.False(Matches(json, "\"lone \\ud800 surrogate\""));
        Assert.False(Matches(json, "01"));
    }

}
