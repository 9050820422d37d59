using System.Text;
using System.Text.Json;

namespace EdgeLlm.Core.Sampling.Grammar.Schema;

/// <summary>
/// Turns a JSON Schema into GBNF for the subset structured output uses: <c>type</c> (one or a list), objects with
/// <c>properties</c>/<c>required</c> (declared order; <c>additionalProperties</c> false unless given, as llama.cpp),
/// free-form maps, <c>enum</c>, <c>const</c>, strings with <c>minLength</c>/<c>maxLength</c>, <c>number</c>,
/// <c>integer</c> with <c>minimum</c>/<c>maximum</c> (also exclusive), <c>boolean</c>, <c>null</c>, arrays with
/// <c>items</c>/<c>minItems</c>/<c>maxItems</c>, <c>anyOf</c>/<c>oneOf</c>, <c>$ref</c> into <c>$defs</c> or
/// <c>definitions</c> (recursion allowed). Anything else is refused with its schema path, never silently dropped.
/// </summary>
public sealed partial class JsonSchemaGrammar
{
    private static readonly HashSet<string> Annotations = new(StringComparer.Ordinal)
    {
        "title", "description", "default", "examples", "$schema", "$id", "$comment", "deprecated", "readOnly", "writeOnly", "$defs", "definitions",
    };

    private static readonly HashSet<string> Supported = new(StringComparer.Ordinal)
    {
        "type", "properties", "required", "additionalProperties", "items", "minItems", "maxItems", "enum", "const", "anyOf", "oneOf", "$ref",
        "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
    };

    private JsonElement _root;
    private readonly List<string> _rules = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly HashSet<string> _primitives = new(StringComparer.Ordinal);
    private readonly List<string> _primitiveLines = [];
    private readonly Dictionary<string, string> _refRules = new(StringComparer.Ordinal);

    private JsonSchemaGrammar(JsonElement root)
    {
        _root = root;
        _names.Add("root"); // written last, as "root ::= <expression>"
    }

    /// <summary>GBNF text for <paramref name="schema"/>.</summary>
    /// <exception cref="GrammarException">An unsupported or invalid part of the schema, named with its path (e.g. <c>#/properties/name/pattern</c>).</exception>
    public static string ToGbnf(JsonElement schema)
    {
        var converter = new JsonSchemaGrammar(schema);
        string root = converter.Visit(schema, "#", "root");
        var lines = new List<string> { $"root ::= {root}" };
        lines.AddRange(converter._rules);
        lines.AddRange(converter._primitiveLines);
        return string.Join('\n', lines) + "\n";
    }

    /// <summary>
    /// GBNF text with <paramref name="rootExpression"/> as its root and one rule per schema, named as given, that matches
    /// the values the schema allows. The schemas share the primitives; each keeps its own <c>$defs</c>. This is how tool
    /// calls are constrained: the root names each function and uses its arguments' rule.
    /// </summary>
    /// <param name="schemas">Rule name (letters, digits and dashes), schema, and the field name errors should say instead of <c>json_schema</c>.</param>
    /// <param name="unenforced">
    /// Null: a schema that cannot be expressed is an error. Otherwise such a schema's rule matches any JSON object and
    /// the reason (its field and path) is added here.
    /// </param>
    /// <exception cref="GrammarException">An unsupported or invalid part of a schema, named with its field and path (only without <paramref name="unenforced"/>).</exception>
    public static string ToGbnf(string rootExpression, IReadOnlyList<(string Rule, JsonElement Schema, string Field)> schemas, ICollection<string>? unenforced = null)
    {
        var converter = new JsonSchemaGrammar(default);
        foreach (var (rule, _, _) in schemas)
            if (!converter._names.Add(rule)) throw new ArgumentException($"rule '{rule}' is named twice", nameof(schemas));
        var lines = new List<string> { $"root ::= {rootExpression}" };
        foreach (var (rule, schema, field) in schemas)
        {
            converter._root = schema;
            converter._refRules.Clear(); // "#/$defs/x" means the $defs of this schema
            int rulesBefore = converter._rules.Count;
            try
            {
                string expression = converter.Visit(schema, "#", rule + "-value");
                lines.Add($"{rule} ::= {expression}");
            }
            catch (GrammarException e) when (e.Message.StartsWith("json_schema ", StringComparison.Ordinal))
            {
                string why = field + e.Message["json_schema".Length..];
                if (unenforced is null) throw new GrammarException(why);
                unenforced.Add(why);
                // Drop the rules written for the part that did convert (nothing would use them); primitives may stay unused.
                converter._rules.RemoveRange(rulesBefore, converter._rules.Count - rulesBefore);
                lines.Add($"{rule} ::= {converter.Primitive("object")}");
            }
        }
        converter.Primitive("space"); // the caller's root may use it between its own literals
        lines.AddRange(converter._rules);
        lines.AddRange(converter._primitiveLines);
        return string.Join('\n', lines) + "\n";
    }

    /// <summary>The compiled grammar for <paramref name="schema"/>.</summary>
    /// <exception cref="GrammarException">See <see cref="ToGbnf"/>.</exception>
    public static GbnfGrammar Compile(JsonElement schema) => GbnfGrammar.Parse(ToGbnf(schema));

    /// <summary>A GBNF expression matching the values <paramref name="schema"/> allows.</summary>
    private string Visit(JsonElement schema, string path, string hint)
    {
        if (schema.ValueKind == JsonValueKind.True) return Primitive("value");
        if (schema.ValueKind == JsonValueKind.False) throw Refuse(path, "the schema false allows no value");
        if (schema.ValueKind != JsonValueKind.Object) throw Refuse(path, "a schema must be an object or a boolean");

        foreach (var p in schema.EnumerateObject())
        {
            if (Annotations.Contains(p.Name) || Supported.Contains(p.Name)) continue;
            string why = p.Name switch
            {
                "pattern" => "'pattern' (regular expressions) is not supported",
                "format" => "'format' is not supported",
                _ => $"'{p.Name}' is not supported",
            };
            throw Refuse($"{path}/{p.Name}", why);
        }

        if (schema.TryGetProperty("$ref", out var reference)) return Ref(reference, $"{path}/$ref");
        if (schema.TryGetProperty("const", out var constant))
        {
            Primitive("space");
            return Rule(hint, $"{GbnfLiteral.Of(constant)} space");
        }
        if (schema.TryGetProperty("enum", out var values))
        {
            if (values.ValueKind != JsonValueKind.Array || values.GetArrayLength() == 0) throw Refuse($"{path}/enum", "must be a non-empty array");
            Primitive("space");
            return Rule(hint, $"({string.Join(" | ", values.EnumerateArray().Select(GbnfLiteral.Of))}) space");
        }
        foreach (string keyword in new[] { "anyOf", "oneOf" })
        {
            if (!schema.TryGetProperty(keyword, out var options)) continue;
            if (options.ValueKind != JsonValueKind.Array || options.GetArrayLength() == 0) throw Refuse($"{path}/{keyword}", "must be a non-empty array of schemas");
            var alternatives = options.EnumerateArray().Select((s, i) => Visit(s, $"{path}/{keyword}/{i}", $"{hint}-{i}")).ToList();
            return Rule(hint, string.Join(" | ", alternatives));
        }

        if (!schema.TryGetProperty("type", out var type)) return Typed(schema, InferType(schema), path, hint);
        if (type.ValueKind == JsonValueKind.String) return Typed(schema, type.GetString()!, path, hint);
        if (type.ValueKind == JsonValueKind.Array && type.GetArrayLength() > 0)
        {
            var alternatives = type.EnumerateArray().Select(t => t.ValueKind == JsonValueKind.String
                ? Typed(schema, t.GetString()!, path, $"{hint}-{t.GetString()}") : throw Refuse($"{path}/type", "must be a type name or a list of them"));
            return Rule(hint, string.Join(" | ", alternatives.ToList()));
        }
        throw Refuse($"{path}/type", "must be a type name or a non-empty list of them");
    }

    private static string InferType(JsonElement schema)
    {
        if (schema.TryGetProperty("properties", out _) || schema.TryGetProperty("additionalProperties", out _) || schema.TryGetProperty("required", out _)) return "object";
        if (schema.TryGetProperty("items", out _) || schema.TryGetProperty("minItems", out _) || schema.TryGetProperty("maxItems", out _)) return "array";
        if (schema.TryGetProperty("minLength", out _) || schema.TryGetProperty("maxLength", out _)) return "string";
        if (schema.TryGetProperty("minimum", out _) || schema.TryGetProperty("maximum", out _)) return "number";
        return "any";
    }

    private string Typed(JsonElement schema, string type, string path, string hint) => type switch
    {
        "any" => Primitive("value"),
        "string" => StringRule(schema, path, hint),
        "number" => NoBounds(schema, path, "number") ?? Primitive("number"),
        "integer" => IntegerRule(schema, path, hint),
        "boolean" => Primitive("boolean"),
        "null" => Primitive("null"),
        "array" => ArrayRule(schema, path, hint),
        "object" => ObjectRule(schema, path, hint),
        _ => throw Refuse($"{path}/type", $"unknown type '{type}' (known: string, number, integer, boolean, null, array, object)"),
    };

    private static string? NoBounds(JsonElement schema, string path, string type)
    {
        foreach (string k in new[] { "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum" })
            if (schema.TryGetProperty(k, out _)) throw Refuse($"{path}/{k}", $"bounds are supported on integers only, not on {type}");
        return null;
    }

    private string StringRule(JsonElement schema, string path, string hint)
    {
        int min = Count(schema, "minLength", path) ?? 0;
        int? max = Count(schema, "maxLength", path);
        if (max < min) throw Refuse($"{path}/maxLength", "is below minLength");
        if (min == 0 && max is null) return Primitive("string");
        Primitive("char");
        Primitive("space");
        string repeat = max is null ? $"{{{min},}}" : $"{{{min},{max}}}";
        return Rule(hint, $"\"\\\"\" char{repeat} \"\\\"\" space");
    }

    private string IntegerRule(JsonElement schema, string path, string hint)
    {
        long? min = Bound(schema, "minimum", path), max = Bound(schema, "maximum", path);
        if (Bound(schema, "exclusiveMinimum", path) is { } exMin) min = Math.Max(min ?? long.MinValue, exMin + 1);
        if (Bound(schema, "exclusiveMaximum", path) is { } exMax) max = Math.Min(max ?? long.MaxValue, exMax - 1);
        if (min is null && max is null) return Primitive("integer");
        // Unbounded sides stop at 16 digits, like the plain integer rule.
        long low = min ?? -9_999_999_999_999_999, high = max ?? 9_999_999_999_999_999;
        if (low > high) throw Refuse(path, $"no integer lies between the bounds {low} and {high}");
        Primitive("space");
        return Rule(hint, $"({IntegerRange.Expression(low, high)}) space");
    }

    private string ArrayRule(JsonElement schema, string path, string hint)
    {
        string item = schema.TryGetProperty("items", out var items)
            ? items.ValueKind is JsonValueKind.Object or JsonValueKind.True or JsonValueKind.False ? Visit(items, $"{path}/items", $"{hint}-item")
              : throw Refuse($"{path}/items", "must be a schema (tuple forms are not supported)")
            : Primitive("value");
        int min = Count(schema, "minItems", path) ?? 0;
        int? max = Count(schema, "maxItems", path);
        if (max < min) throw Refuse($"{path}/maxItems", "is below minItems");
        Primitive("space");
        if (max == 0) return Rule(hint, "\"[\" space \"]\" space");
        int moreMin = Math.Max(0, min - 1);
        string more = max is null ? $"{{{moreMin},}}" : $"{{{moreMin},{max - 1}}}";
        string elements = $"{item} (\",\" space {item}){more}";
        return Rule(hint, min == 0 ? $"\"[\" space ({elements})? \"]\" space" : $"\"[\" space {elements} \"]\" space");
    }

    private string Ref(JsonElement reference, string path)
    {
        string target = reference.ValueKind == JsonValueKind.String ? reference.GetString()! : throw Refuse(path, "must be a string");
        if (_refRules.TryGetValue(target, out string? known)) return known;
        string[] parts = target.Split('/');
        if (parts.Length != 3 || parts[0] != "#" || parts[1] is not ("$defs" or "definitions"))
            throw Refuse(path, $"'{target}' is not supported (only '#/$defs/NAME' and '#/definitions/NAME')");
        string name = parts[2].Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
        if (!_root.TryGetProperty(parts[1], out var defs) || defs.ValueKind != JsonValueKind.Object || !defs.TryGetProperty(name, out var definition))
            throw Refuse(path, $"'{target}' points to nothing");
        // Name the rule before visiting, so a recursive schema refers to it instead of recursing forever.
        string rule = UniqueName($"ref-{name}");
        _refRules[target] = rule;
        int slot = _rules.Count;
        _rules.Add("");
        _rules[slot] = $"{rule} ::= {Visit(definition, $"#/{parts[1]}/{parts[2]}", rule)}";
        return rule;
    }

    private static int? Count(JsonElement schema, string keyword, string path) =>
        !schema.TryGetProperty(keyword, out var v) ? null
        : v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int n) && n >= 0 && n <= 10_000 ? n
        : throw Refuse($"{path}/{keyword}", "must be a whole number from 0 to 10000");

    private static long? Bound(JsonElement schema, string keyword, string path)
    {
        if (!schema.TryGetProperty(keyword, out var v)) return null;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out double d)) throw Refuse($"{path}/{keyword}", "must be a number");
        if (Math.Abs(d) > 9e15) throw Refuse($"{path}/{keyword}", "is beyond the supported integer range (16 digits)");
        return keyword.Contains("inimum", StringComparison.Ordinal) ? (long)Math.Ceiling(d) : (long)Math.Floor(d);
    }

    private string Primitive(string name)
    {
        JsonGrammar.AddWithNeeds(name, _primitiveLines, _primitives);
        return name;
    }

    private string Rule(string hint, string body)
    {
        string name = UniqueName(hint);
        _rules.Add($"{name} ::= {body}");
        return name;
    }

    private string UniqueName(string hint)
    {
        var sb = new StringBuilder();
        foreach (char c in hint) sb.Append(char.IsAsciiLetterOrDigit(c) ? c : '-');
        string baseName = sb.Length > 0 ? sb.ToString() : "rule";
        if (baseName.Length > 60) baseName = baseName[..60];
        string name = baseName;
        for (int i = 2; JsonGrammar.Primitives.ContainsKey(name) || !_names.Add(name); i++) name = $"{baseName}-{i}";
        return name;
    }

    private static GrammarException Refuse(string path, string why) => new($"json_schema at {path}: {why}");
}
