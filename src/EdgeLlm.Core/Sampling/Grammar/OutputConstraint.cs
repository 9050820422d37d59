using System.Text.Json;
using EdgeLlm.Core.Sampling.Grammar.Schema;
using EdgeLlm.Core.Tokenizers;

namespace EdgeLlm.Core.Sampling.Grammar;

/// <summary>
/// What a request asks the output to match: a compiled grammar (from GBNF text, a JSON Schema or the built-in JSON
/// grammar), optionally lazy (free until a trigger). Immutable; per generation it makes an <see cref="ITokenConstraint"/>.
/// </summary>
public sealed class OutputConstraint
{
    private OutputConstraint(GbnfGrammar grammar, string description, GrammarTriggers? triggers)
    {
        Grammar = grammar;
        Description = description;
        Triggers = triggers;
    }

    public GbnfGrammar Grammar { get; }

    /// <summary>Short text for logs: "gbnf", "json", "json_schema".</summary>
    public string Description { get; }

    /// <summary>Null: constrained from the first token. Otherwise: free until one of these appears.</summary>
    public GrammarTriggers? Triggers { get; }

    /// <exception cref="GrammarException">The grammar is invalid (line and column in the message).</exception>
    public static OutputConstraint FromGbnf(string text) => new(GbnfGrammar.Parse(text), "gbnf", null);

    /// <exception cref="GrammarException">The schema uses something unsupported (path in the message).</exception>
    public static OutputConstraint FromJsonSchema(JsonElement schema) => new(JsonSchemaGrammar.Compile(schema), "json_schema", null);

    /// <summary>Any JSON value.</summary>
    public static OutputConstraint Json { get; } = new(JsonGrammar.Grammar, "json", null);

    /// <summary>The same grammar, applied only from the first trigger on.</summary>
    public OutputConstraint Lazy(GrammarTriggers triggers)
    {
        ArgumentNullException.ThrowIfNull(triggers);
        return new OutputConstraint(Grammar, Description, triggers.IsEmpty ? null : triggers);
    }

    /// <summary>A matcher for one generation; <paramref name="tables"/> keeps the per-grammar tables warm across generations.</summary>
    public ITokenConstraint CreateMatcher(Tokenizer tokenizer, GrammarTableCache tables)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(tables);
        var table = tables.For(Grammar, tokenizer);
        if (Triggers is null) return new GrammarMatcher(table);
        return new LazyGrammarMatcher(() => new GrammarMatcher(table), Triggers, id => tokenizer.TokenBytes(id).ToArray());
    }
}
