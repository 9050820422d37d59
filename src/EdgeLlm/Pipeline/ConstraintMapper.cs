using System.Text.Json;
using EdgeLlm.Core.Sampling.Grammar;
using EdgeLlm.Protocol;

namespace EdgeLlm.Pipeline;

/// <summary>
/// Turns a request's <c>grammar</c>, <c>json_schema</c> or <c>format</c> into an <see cref="OutputConstraint"/>;
/// a bad grammar or schema is a <c>bad_request</c> naming the field and the problem. Compiled constraints are kept
/// by their text (a small, bounded cache), so clients that repeat a schema reuse its grammar and, in the generator,
/// its explored states and token masks. Thread-safe.
/// </summary>
public sealed class ConstraintMapper
{
    private const int CacheSize = 32;

    private readonly Dictionary<string, OutputConstraint> _cache = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Null when the request asks for free text.</summary>
    /// <exception cref="RequestException">More than one constraint field, or one that does not compile.</exception>
    public OutputConstraint? Map(WireRequest wire)
    {
        int given = (wire.Grammar is null ? 0 : 1) + (wire.JsonSchema is null ? 0 : 1) + (wire.Format is null ? 0 : 1);
        if (given == 0) return null;
        if (given > 1) throw Bad("give only one of grammar, json_schema and format");
        if (wire.Format == "json") return OutputConstraint.Json;
        if (wire.Grammar is { } gbnf) return Cached("grammar", gbnf, () => OutputConstraint.FromGbnf(gbnf));
        string field = wire.JsonSchema is null ? "format" : "json_schema";
        string schema = wire.JsonSchema ?? wire.Format!;
        return Cached(field, schema, () =>
        {
            using var doc = JsonDocument.Parse(schema);
            return OutputConstraint.FromJsonSchema(doc.RootElement);
        });
    }

    /// <summary>
    /// The constraint a transport built for tool calls: GBNF text from the offered functions, lazy when the model may
    /// also answer in words. Cached like the others, so a client that offers the same tools every turn (Home Assistant)
    /// compiles them once and keeps their token masks warm.
    /// </summary>
    public OutputConstraint ForTools(string gbnf, GrammarTriggers? lazy)
    {
        string key = lazy is null ? "t!:" + gbnf : $"t?:{string.Join('\u0001', lazy.Words)}\u0002{string.Join('\u0001', lazy.Patterns)}\u0002{gbnf}";
        return Compiled("tools", key, () =>
        {
            var all = OutputConstraint.FromGbnf(gbnf);
            return lazy is null ? all : all.Lazy(lazy);
        });
    }

    private OutputConstraint Cached(string field, string text, Func<OutputConstraint> compile) =>
        Compiled(field, field == "grammar" ? "g:" + text : "s:" + text, compile);

    private OutputConstraint Compiled(string field, string key, Func<OutputConstraint> compile)
    {
        lock (_lock)
        {
            if (_cache.TryGetValue(key, out var known)) return known;
        }
        OutputConstraint compiled;
        try
        {
            compiled = compile();
        }
        catch (GrammarException e)
        {
            // Schema messages already start with "json_schema at #/...": keep the field the client used.
            string message = e.Message.StartsWith("json_schema at ", StringComparison.Ordinal) ? field + e.Message["json_schema".Length..] : $"{field}: {e.Message}";
            throw Bad(message);
        }
        lock (_lock)
        {
            if (_cache.Count >= CacheSize) _cache.Clear();
            _cache[key] = compiled;
        }
        return compiled;
    }

    private static RequestException Bad(string message) => new(ErrorCodes.BadRequest, message);
}
