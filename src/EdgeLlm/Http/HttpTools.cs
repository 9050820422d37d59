using System.Text.Json;
using EdgeLlm.Http.Ollama;
using EdgeLlm.Http.Tools;
using EdgeLlm.Pipeline;
using EdgeLlm.Protocol;

namespace EdgeLlm.Http;

/// <summary>The <c>tools</c> field and tool-call arguments, the same in both HTTP APIs.</summary>
internal static class HttpTools
{
    public const string EmptyParameters = "{\"type\":\"object\",\"properties\":{}}";

    public static List<ToolDefinition> Definitions(List<ToolSpec>? tools)
    {
        var result = new List<ToolDefinition>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < (tools?.Count ?? 0); i++)
        {
            var t = tools![i] ?? throw Bad($"tools[{i}] must be an object");
            if (t.Type is not (null or "function")) throw Bad($"tools[{i}].type must be \"function\"");
            var f = t.Function ?? throw Bad($"tools[{i}].function is required");
            if (string.IsNullOrWhiteSpace(f.Name)) throw Bad($"tools[{i}].function.name is required");
            if (!names.Add(f.Name)) throw Bad($"tools[{i}].function.name '{f.Name}' is offered twice");
            string parameters = f.Parameters switch
            {
                null or { ValueKind: JsonValueKind.Null } => EmptyParameters,
                { ValueKind: JsonValueKind.Object } p => p.GetRawText(),
                _ => throw Bad($"tools[{i}].function.parameters must be a JSON schema object"),
            };
            result.Add(new ToolDefinition(f.Name, f.Description, parameters));
        }
        return result;
    }

    /// <summary>Call arguments as a JSON object text: an object, or a string holding one (OpenAI's way).</summary>
    public static string Arguments(JsonElement? arguments, string field)
    {
        switch (arguments)
        {
            case null or { ValueKind: JsonValueKind.Null }:
                return "{}";
            case { ValueKind: JsonValueKind.Object } a:
                return a.GetRawText();
            case { ValueKind: JsonValueKind.String } s:
                try
                {
                    using var doc = JsonDocument.Parse(s.GetString()!);
                    if (doc.RootElement.ValueKind == JsonValueKind.Object) return doc.RootElement.GetRawText();
                }
                catch (JsonException)
                {
                }
                throw Bad($"{field} must be a JSON object (or a string holding one)");
            default:
                throw Bad($"{field} must be a JSON object");
        }
    }

    private static RequestException Bad(string message) => new(ErrorCodes.BadRequest, message);
}
