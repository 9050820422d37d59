using System.Text.Json;
using EdgeLlm.Core.Sampling.Grammar;
using EdgeLlm.Core.Sampling.Grammar.Schema;

namespace EdgeLlm.Http.Tools;

/// <summary>
/// The grammar a tool call must match, in the family's own format: once the model starts a call (or from the first
/// token, when a call is required), it can only name an offered function and give arguments valid against that
/// function's <c>parameters</c> schema. A small model cannot then misspell a function or invent an argument, and what it
/// writes always parses.
/// </summary>
/// <remarks>
/// The call starts at the family's marker (<c>&lt;tool_call&gt;</c>, <c>&lt;|python_tag|&gt;</c>,
/// <c>[TOOL_CALLS]</c>) or, for Llama 3, at a bare JSON object opening the answer. A marker that is a control token prints
/// nothing, so the grammar takes the marker text as optional where the family may write it either way.
/// </remarks>
public static class ToolCallGrammar
{
    /// <summary>Where a Llama 3 answer is a call without <c>&lt;|python_tag|&gt;</c>: it opens with a JSON object.</summary>
    public const string Llama3BareCall = """^\s*(\{\s*")""";

    /// <summary>The grammar for one request's tools.</summary>
    /// <param name="Gbnf">The grammar text.</param>
    /// <param name="Triggers">What starts a call; null when a call is required from the first token.</param>
    /// <param name="Unenforced">Why a function's arguments are only held to "a JSON object" (its schema uses a feature the
    /// grammar cannot express, e.g. <c>pattern</c>): a log line for the operator, never a refused turn, because the
    /// client (Home Assistant) cannot change its schemas.</param>
    public sealed record Result(string Gbnf, GrammarTriggers? Triggers, IReadOnlyList<string> Unenforced);

    /// <param name="parallel">More than one call in one answer (OpenAI's <c>parallel_tool_calls</c>, true by default).</param>
    public static Result For(ToolFormat format, IReadOnlyList<ToolDefinition> tools, bool required, bool parallel)
    {
        ArgumentNullException.ThrowIfNull(tools);
        if (tools.Count == 0) throw new ArgumentException("no tools to call", nameof(tools));
        string argumentsKey = format == ToolFormat.Llama3 ? "parameters" : "arguments";
        var calls = new List<string>();
        var schemas = new List<(string, JsonElement, string)>();
        var unenforced = new List<string>();
        var documents = new List<JsonDocument>();
        try
        {
            for (int i = 0; i < tools.Count; i++)
            {
                string field = $"tools[{i}].function.parameters";
                var doc = JsonDocument.Parse(tools[i].ParametersJson);
                documents.Add(doc);
                schemas.Add(($"tool-{i}-arguments", doc.RootElement, field));
                // {"name": "<function>", "<arguments key>": <arguments>}
                calls.Add($"\"{{\" space \"\\\"name\\\"\" space \":\" space {GbnfLiteral.OfPropertyName(tools[i].Name)} space \",\" space " +
                    $"{GbnfLiteral.OfPropertyName(argumentsKey)} space \":\" space tool-{i}-arguments \"}}\" space");
            }
            string call = "(" + string.Join(" | ", calls) + ")";
            string root = format switch
            {
                ToolFormat.Llama3 => $"\"<|python_tag|>\"? {Repeat(call, "\";\" space", parallel)}",
                ToolFormat.Mistral => $"\"[TOOL_CALLS]\"? space \"[\" space {Repeat(call, "\",\" space", parallel)} \"]\" space",
                _ => Repeat($"\"<tool_call>\" space {call} \"</tool_call>\" space", "", parallel),
            };
            return new Result(JsonSchemaGrammar.ToGbnf(root, schemas, unenforced), required ? null : Triggers(format), unenforced);
        }
        finally
        {
            foreach (var doc in documents) doc.Dispose();
        }
    }

    private static string Repeat(string item, string separator, bool parallel) =>
        parallel ? $"{item} ({separator} {item})*".Replace("( ", "(", StringComparison.Ordinal) : item;

    private static GrammarTriggers Triggers(ToolFormat format) => format switch
    {
        ToolFormat.Llama3 => new GrammarTriggers { Words = [ToolCallParser.PythonTag], Patterns = [Llama3BareCall] },
        ToolFormat.Mistral => new GrammarTriggers { Words = [ToolCallParser.MistralTag] },
        _ => new GrammarTriggers { Words = [ToolCallParser.HermesOpen] },
    };
}
