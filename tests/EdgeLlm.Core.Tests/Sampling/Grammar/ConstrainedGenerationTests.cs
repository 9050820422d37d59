using System.Diagnostics;
using System.Text;
using System.Text.Json;
using EdgeLlm.Core.Generation;
using EdgeLlm.Core.Gguf;
using EdgeLlm.Core.Model;
using EdgeLlm.Core.Sampling;
using EdgeLlm.Core.Sampling.Grammar;
using EdgeLlm.Core.Tokenizers;
using Xunit.Abstractions;

namespace EdgeLlm.Core.Tests.Sampling.Grammar;

/// <summary>
/// The worst case for a grammar: a random-weight model (tiny-q4_0, real 32K Llama vocabulary) sampled at temperature 1.0.
/// Every answer must parse with System.Text.Json and pass the independent <see cref="MiniSchemaValidator"/>.
/// </summary>
public sealed class ConstrainedGenerationTests : IDisposable
{
    private readonly GgufFile _file = GgufFile.Open(Fixtures.Model("tiny-q4_0.gguf"));
    private readonly TransformerModel _model;
    private readonly Tokenizer _tokenizer;
    private readonly TextGenerator _generator;
    private readonly ITestOutputHelper _output;

    public ConstrainedGenerationTests(ITestOutputHelper output)
    {
        _output = output;
        _model = TransformerModel.Load(_file, new ModelOptions { ContextLength = 512, Threads = 1 });
        _tokenizer = Tokenizer.FromGguf(_file);
        _generator = new TextGenerator(_model, _tokenizer);
    }

    public void Dispose()
    {
        _model.Dispose();
        _file.Dispose();
    }

    /// <summary>Schemas whose answers are bounded, so every answer must finish with "stop" within the token limit.</summary>
    public static readonly string[] BoundedSchemas =
    [
        """{"type":"object","properties":{"room":{"enum":["kitchen","hall","bath"]},"action":{"enum":["on","off"]},"level":{"type":"integer","minimum":0,"maximum":100}},"required":["room","action"]}""",
        """{"type":"array","items":{"type":"string","minLength":1,"maxLength":6},"minItems":1,"maxItems":3}""",
        """{"anyOf":[{"type":"boolean"},{"type":"null"},{"const":{"ok":[1,2]}},{"type":"integer","exclusiveMinimum":-5,"maximum":12}]}""",
        """{"$defs":{"point":{"type":"object","properties":{"x":{"type":"integer","minimum":-9,"maximum":9},"y":{"type":"integer","minimum":-9,"maximum":9},"tag":{"type":["string","null"],"maxLength":4}},"required":["x","y"]}},"type":"object","properties":{"points":{"type":"array","items":{"$ref":"#/$defs/point"},"maxItems":2},"closed":{"type":"boolean"}},"required":["points"]}""",
    ];

    private int[] Prompt => _tokenizer.Encode("Answer in JSON:", addBos: true, parseSpecial: false);

    private GenerationResult Answer(OutputConstraint constraint, ulong seed, int maxTokens) =>
        _generator.Generate(Prompt, new GenerationSettings
        {
            Sampling = new SamplingOptions { Temperature = 1.0f, Seed = seed },
            MaxTokens = maxTokens,
            Constraint = constraint,
        });

    [Fact]
    public void Answers_under_bounded_schemas_always_finish_and_validate()
    {
        var clock = Stopwatch.StartNew();
        int answers = 0;
        foreach (string schemaText in BoundedSchemas)
        {
            using var schema = JsonDocument.Parse(schemaText);
            var constraint = OutputConstraint.FromJsonSchema(schema.RootElement);
            for (ulong seed = 1; seed <= 100; seed++)
            {
                var result = Answer(constraint, seed, maxTokens: 200);
                Assert.True(result.FinishReason == FinishReason.Stop, $"schema {schemaText} seed {seed}: {result.FinishReason} after {result.GeneratedTokens} tokens: {result.Text}");
                using var answer = JsonDocument.Parse(result.Text); // throws on invalid JSON
                string? problem = MiniSchemaValidator.Check(answer.RootElement, schema.RootElement, schema.RootElement);
                Assert.True(problem is null, $"schema {schemaText} seed {seed}: {problem}: {result.Text}");
                if (seed <= 2) _output.WriteLine(result.Text);
                answers++;
            }
        }
        _output.WriteLine($"{answers} answers in {clock.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    public void Answers_under_the_json_grammar_are_json_or_a_valid_prefix_at_the_token_limit()
    {
        // Any JSON value is unbounded (a random model rarely closes a long string), so an answer cut by the token
        // limit must still be a valid JSON prefix, and the finished ones must parse.
        var clock = Stopwatch.StartNew();
        int finished = 0;
        for (ulong seed = 1; seed <= 100; seed++)
        {
            var result = Answer(OutputConstraint.Json, seed, maxTokens: 48);
            byte[] utf8 = Encoding.UTF8.GetBytes(result.Text);
            if (result.FinishReason == FinishReason.Stop)
            {
                using var doc = JsonDocument.Parse(utf8);
                finished++;
            }
            else
            {
                Assert.Equal(FinishReason.Length, result.FinishReason);
                AssertValidJsonPrefix(utf8, result.Text);
            }
        }
        _output.WriteLine($"json: {finished} of 100 finished in {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(finished >= 10, $"only {finished} of 100 answers finished");
    }

    [Fact]
    public void A_grammar_that_can_only_end_stops_before_any_token()
    {
        var result = Answer(OutputConstraint.FromGbnf("root ::= \"\""), seed: 1, maxTokens: 10);
        Assert.Equal(FinishReason.Stop, result.FinishReason);
        Assert.Equal(0, result.GeneratedTokens);
        Assert.Equal("", result.Text);
    }

    [Fact]
    public void A_fixed_text_of_multi_byte_characters_comes_out_exactly_and_stops()
    {
        // Rare characters come as byte-fallback tokens, each a part of a UTF-8 sequence.
        var constraint = OutputConstraint.FromGbnf("root ::= \"漢字 ok 😀\" [0-9]");
        for (ulong seed = 1; seed <= 5; seed++)
        {
            var result = Answer(constraint, seed, maxTokens: 40);
            Assert.Equal(FinishReason.Stop, result.FinishReason);
            Assert.Matches("^漢字 ok 😀[0-9]$", result.Text);
        }
    }

    private static void AssertValidJsonPrefix(byte[] utf8, string text)
    {
        var reader = new Utf8JsonReader(utf8, isFinalBlock: false, state: default);
        try
        {
            while (reader.Read()) { }
        }
        catch (JsonException e)
        {
            Assert.Fail($"not a JSON prefix ({e.Message}): {text}");
        }
    }
}
