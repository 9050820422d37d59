using System.Text.Json;
using EdgeLlm.Core.Sampling.Grammar.Schema;
using EdgeLlm.Core.Tokenizers;

namespace EdgeLlm.Core.Sampling.Grammar;

/// <summary>
/// What a request asks the output to match: a compiled grammar (from GBNF text, a JSON Schema or the built-in JSON
/// grammar). Immutable; per generation it makes an <see cref="ITokenConstraint"/>.
/// </summary>
public sealed class OutputConstraint
{
    private OutputConstraint(GbnfGrammar grammar, string description)
    {
        Grammar = grammar;
        Description = description;
    }

    public GbnfGrammar Grammar { get; }

    /// <summary>Short text for logs: "gbnf", "json", "json_schema".</summary>
    public string Description { get; }

    /// <exception cref="GrammarException">The grammar is invalid (line and column in the message).</exception>
    public static OutputConstraint FromGbnf(string text) => new(GbnfGrammar.Parse(text), "gbnf");

    /// <exception cref="GrammarException">The schema uses something unsupported (path in the message).</exception>
    public static OutputConstraint FromJsonSchema(JsonElement schema) => new(JsonSchemaGrammar.Compile(schema), "json_schema");

    /// <summary>Any JSON value.</summary>
    public static OutputConstraint Json { get; } = new(JsonGrammar.Grammar, "json");

    /// <summary>A matcher for one generation; <paramref name="tables"/> keeps the per-grammar tables warm across generations.</summary>
    public ITokenConstraint CreateMatcher(Tokenizer tokenizer, GrammarTableCache tables)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(tables);
        var table = tables.For(Grammar, tokenizer);
        return new GrammarMatcher(table);
    }
}
