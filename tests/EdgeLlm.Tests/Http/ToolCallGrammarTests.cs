using EdgeLlm.Core.Gguf;
using EdgeLlm.Core.Sampling;
using EdgeLlm.Core.Sampling.Grammar;
using EdgeLlm.Core.Tokenizers;
using EdgeLlm.Http.Tools;

namespace EdgeLlm.Tests.Http;

/// <summary>
/// The tool-call grammar, token by token through a real vocabulary as the sampler applies it: only calls of offered
/// functions, with arguments valid against their schema, in the family's own format; lazy until the family's marker.
/// </summary>
public sealed class ToolCallGrammarTests
{
    private static readonly Lazy<Tokenizer> Qwen = new(() => Load("qwen2-tiny-f16.gguf"));
    private static readonly Lazy<Tokenizer> Llama3 = new(() => Load("llama3-tiny-f16.gguf"));

    private static readonly ToolDefinition[] Tools =
    [
        new("HassTurnOn", "Turns on a device", """{"type":"object","properties":{"name":{"type":"string"},"domain":{"type":"array","items":{"type":"string"}}},"required":["name"]}"""),
        new("HassLightSet", null, """{"type":"object","properties":{"name":{"type":"string"},"brightness":{"type":"integer","minimum":0,"maximum":100}},"required":["name","brightness"]}"""),
    ];

    private static Tokenizer Load(string file)
    {
        using var gguf = GgufFile.Open(Fixtures.Model(file));
        return Tokenizer.FromGguf(gguf);
    }

    /// <summary>Feeds <paramref name="text"/> as the model would write it; true when every token is allowed and the grammar may end there.</summary>
    private static bool Writes(ITokenConstraint m, Tokenizer vocab, string text)
    {
        foreach (int token in vocab.Encode(text, addBos: false, parseSpecial: true))
        {
            if (!m.Allows(token)) return false;
            m.Accept(token);
        }
        return m.Allows(vocab.EosId);
    }

    private static ITokenConstraint Matcher(ToolFormat format, Tokenizer vocab, bool required, bool parallel = true, ToolDefinition[]? tools = null)
    {
        var g = ToolCallGrammar.For(format, tools ?? Tools, required, parallel);
        Assert.Empty(g.Unenforced);
        var all = OutputConstraint.FromGbnf(g.Gbnf);
        return (g.Triggers is null ? all : all.Lazy(g.Triggers)).CreateMatcher(vocab, new GrammarTableCache());
    }

    [Theory]
    [InlineData("<tool_call>\n{\"name\": \"HassTurnOn\", \"arguments\": {\"name\": \"Kitchen Light\", \"domain\": [\"light\"]}}\n</tool_call>", true)]
    [InlineData("<tool_call>\n{\"name\": \"HassLightSet\", \"arguments\": {\"name\": \"Hall\", \"brightness\": 40}}\n</tool_call>", true)]
    [InlineData("<tool_call>{\"name\": \"HassTurnOn\", \"arguments\": {\"name\": \"a\"}}</tool_call>\n<tool_call>{\"name\": \"HassTurnOn\", \"arguments\": {\"name\": \"b\"}}</tool_call>", true)]
    [InlineData("<tool_call>\n{\"name\": \"HassTurnOff\", \"arguments\": {\"name\": \"Kitchen Light\"}}\n</tool_call>", false)] // not offered
    [InlineData("<tool_call>\n{\"name\": \"HassLightSet\", \"arguments\": {\"name\": \"Hall\", \"brightness\": 140}}\n</tool_call>", false)] // over the maximum
    [InlineData("<tool_call>\n{\"name\": \"HassLightSet\", \"arguments\": {\"name\": \"Hall\"}}\n</tool_call>", false)] // brightness required
    [InlineData("<tool_call>\n{\"name\": \"HassTurnOn\", \"arguments\": {\"name\": \"x\", \"color\": \"red\"}}\n</tool_call>", false)] // unknown argument
    [InlineData("<tool_call>\n{\"name\": \"HassTurnOn\", \"arguments\": \"{\\\"name\\\": \\\"x\\\"}\"}\n</tool_call>", false)] // arguments as a string
    [InlineData("{\"name\": \"HassTurnOn\", \"arguments\": {\"name\": \"x\"}}", false)] // no marker
    public void Required_hermes_call_allows_only_offered_functions_with_valid_arguments(string text, bool allowed)
    {
        Assert.Equal(allowed, Writes(Matcher(ToolFormat.Hermes, Qwen.Value, required: true), Qwen.Value, text));
    }

    [Fact]
    public void One_call_only_when_calls_are_not_parallel()
    {
        const string two = "<tool_call>{\"name\": \"HassTurnOn\", \"arguments\": {\"name\": \"a\"}}</tool_call>\n<tool_call>{\"name\": \"HassTurnOn\", \"arguments\": {\"name\": \"b\"}}</tool_call>";
        Assert.False(Writes(Matcher(ToolFormat.Hermes, Qwen.Value, required: true, parallel: false), Qwen.Value, two));
        Assert.True(Writes(Matcher(ToolFormat.Hermes, Qwen.Value, required: true, parallel: false), Qwen.Value, two[..two.IndexOf('\n')]));
    }

    [Fact]
    public void Lazy_hermes_call_leaves_text_free_until_the_marker_then_holds_the_call_to_the_schema()
    {
        var vocab = Qwen.Value;
        Assert.True(Writes(Matcher(ToolFormat.Hermes, vocab, required: false), vocab, "The kitchen light is on."));
        Assert.True(Writes(Matcher(ToolFormat.Hermes, vocab, required: false), vocab,
            "Sure.\n<tool_call>\n{\"name\": \"HassTurnOn\", \"arguments\": {\"name\": \"Kitchen Light\"}}\n</tool_call>"));
        Assert.False(Writes(Matcher(ToolFormat.Hermes, vocab, required: false), vocab,
            "Sure.\n<tool_call>\n{\"name\": \"TurnOnEverything\", \"arguments\": {}}\n</tool_call>"));
        // Nothing but calls after the first one starts.
        Assert.False(Writes(Matcher(ToolFormat.Hermes, vocab, required: false), vocab,
            "<tool_call>\n{\"name\": \"HassTurnOn\", \"arguments\": {\"name\": \"a\"}}\n</tool_call> Done!"));
    }

    [Theory]
    [InlineData("{\"name\": \"HassTurnOn\", \"parameters\": {\"name\": \"Kitchen Light\"}}", true)]
    [InlineData("  {\"name\": \"HassTurnOn\", \"parameters\": {\"name\": \"a\"}}; {\"name\": \"HassLightSet\", \"parameters\": {\"name\": \"b\", \"brightness\": 5}}", true)]
    [InlineData("{\"name\": \"HassTurnOn\", \"arguments\": {\"name\": \"Kitchen Light\"}}", false)] // Llama 3 says "parameters"
    [InlineData("{\"name\": \"HassTurnOn\", \"parameters\": {\"name\": 5}}", false)]
    [InlineData("I turned it on. {\"name\": \"HassTurnOn\"}", true)] // a call must open the answer: this is text
    public void Lazy_llama3_call_starts_at_a_json_object_opening_the_answer(string text, bool allowed)
    {
        Assert.Equal(allowed, Writes(Matcher(ToolFormat.Llama3, Llama3.Value, required: false), Llama3.Value, text));
    }

    [Theory]
    [InlineData("[TOOL_CALLS] [{\"name\": \"HassTurnOn\", \"arguments\": {\"name\": \"a\"}}, {\"name\": \"HassTurnOn\", \"arguments\": {\"name\": \"b\"}}]", true)]
    [InlineData("[TOOL_CALLS] [{\"name\": \"HassTurnOn\", \"arguments\": {\"name\": 1}}]", false)]
    [InlineData("Hello [TOOL_CALLS] {\"name\": \"HassTurnOn\", \"arguments\": {\"name\": \"a\"}}", false)] // calls are a list
    public void Lazy_mistral_calls_are_a_list_after_the_marker(string text, bool allowed)
    {
        Assert.Equal(allowed, Writes(Matcher(ToolFormat.Mistral, Qwen.Value, required: false), Qwen.Value, text));
    }

    [Fact]
    public void A_schema_the_grammar_cannot_express_holds_that_function_to_a_json_object_and_says_why()
    {
        ToolDefinition[] tools = [new("SetTimer", null, """{"type":"object","properties":{"at":{"type":"string","format":"date-time"}}}""")];
        var g = ToolCallGrammar.For(ToolFormat.Hermes, tools, required: true, parallel: true);
        Assert.Equal(["tools[0].function.parameters at #/properties/at/format: 'format' is not supported"], g.Unenforced);
        var m = OutputConstraint.FromGbnf(g.Gbnf).CreateMatcher(Qwen.Value, new GrammarTableCache());
        Assert.True(Writes(m, Qwen.Value, "<tool_call>{\"name\": \"SetTimer\", \"arguments\": {\"at\": \"noon\", \"x\": 1}}</tool_call>"));
        m = OutputConstraint.FromGbnf(g.Gbnf).CreateMatcher(Qwen.Value, new GrammarTableCache());
        Assert.False(Writes(m, Qwen.Value, "<tool_call>{\"name\": \"SetTimer\", \"arguments\": [1]}</tool_call>"));
    }

    [Fact]
    public void The_calls_the_grammar_allows_are_the_calls_the_parser_reads()
    {
        string[] names = [.. Tools.Select(t => t.Name)];
        var (content, calls) = ToolCallParser.Parse("<tool_call>\n{\"name\": \"HassLightSet\", \"arguments\": {\"name\": \"Hall\", \"brightness\": 40}}\n</tool_call>", names);
        Assert.Equal("", content);
        Assert.Equal(("HassLightSet", "{\"name\": \"Hall\", \"brightness\": 40}"), (calls.Single().Name, calls.Single().ArgumentsJson));
        (content, calls) = ToolCallParser.Parse("{\"name\": \"HassTurnOn\", \"parameters\": {\"name\": \"a\"}}; {\"name\": \"HassTurnOn\", \"parameters\": {\"name\": \"b\"}}", names);
        Assert.Equal(2, calls.Count);
    }
}
