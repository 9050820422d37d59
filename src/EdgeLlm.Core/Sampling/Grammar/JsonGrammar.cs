namespace EdgeLlm.Core.Sampling.Grammar;

/// <summary>
/// The built-in grammar for "any JSON value" (<c>format: "json"</c>), and the primitive rules the JSON Schema
/// converter reuses. Choices that keep small models out of trouble: whitespace is bounded (no endless indentation),
/// numbers have at most 16 integer and 16 fraction digits and a two-digit exponent (every one fits a double), and
/// <c>\u</c> escapes cannot name a lone surrogate, so every output parses with a strict JSON reader.
/// </summary>
public static class JsonGrammar
{
    /// <summary>Primitive rules by name, each with the rules it needs.</summary>
    internal static readonly IReadOnlyDictionary<string, (string Body, string[] Needs)> Primitives = new Dictionary<string, (string, string[])>(StringComparer.Ordinal)
    {
        ["space"] = ("| \" \" | \"\\n\" [ \\t]{0,8}", []),
        ["char"] = ("[^\"\\\\\\x00-\\x1F\\x7F] | \"\\\\\" ([\"\\\\/bfnrt] | \"u\" hex-escape)", ["hex-escape"]),
        ["hex-escape"] = ("[0-9a-cA-CeEfF] [0-9a-fA-F]{3} | [dD] [0-7] [0-9a-fA-F]{2}", []),
        ["string"] = ("\"\\\"\" char* \"\\\"\" space", ["char", "space"]),
        ["integral"] = ("\"0\" | [1-9] [0-9]{0,15}", []),
        ["integer"] = ("\"-\"? integral space", ["integral", "space"]),
        ["number"] = ("\"-\"? integral (\".\" [0-9]{1,16})? ([eE] [-+]? [0-9]{1,2})? space", ["integral", "space"]),
        ["boolean"] = ("(\"true\" | \"false\") space", ["space"]),
        ["null"] = ("\"null\" space", ["space"]),
        ["object"] = ("\"{\" space (string \":\" space value (\",\" space string \":\" space value)*)? \"}\" space", ["string", "space", "value"]),
        ["array"] = ("\"[\" space (value (\",\" space value)*)? \"]\" space", ["space", "value"]),
        ["value"] = ("object | array | string | number | boolean | null", ["object", "array", "string", "number", "boolean", "null"]),
    };

    /// <summary>GBNF text of the grammar: <c>root ::= value</c> plus the primitives.</summary>
    public static string Text { get; } = Build("value");

    private static readonly Lazy<GbnfGrammar> Compiled = new(() => GbnfGrammar.Parse(Text));

    /// <summary>The compiled grammar, shared (so its token masks stay cached across requests).</summary>
    public static GbnfGrammar Grammar => Compiled.Value;

    private static string Build(string rootExpression)
    {
        var lines = new List<string> { $"root ::= {rootExpression}" };
        var added = new HashSet<string>(StringComparer.Ordinal);
        AddWithNeeds("value", lines, added);
        return string.Join('\n', lines) + "\n";
    }

    /// <summary>Appends primitive <paramref name="name"/> and everything it needs, once.</summary>
    internal static void AddWithNeeds(string name, List<string> lines, HashSet<string> added)
    {
        if (!added.Add(name)) return;
        var (body, needs) = Primitives[name];
        lines.Add($"{name} ::= {body}");
        foreach (string need in needs) AddWithNeeds(need, lines, added);
    }
}
