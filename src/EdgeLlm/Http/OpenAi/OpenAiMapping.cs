using System.Text;
using System.Text.Json;
using EdgeLlm.Http.Tools;
using EdgeLlm.Pipeline;
using EdgeLlm.Protocol;

namespace EdgeLlm.Http.OpenAi;

/// <summary>An OpenAI chat request → <see cref="ChatInput"/>; a field of the wrong shape throws a <see cref="RequestException"/> naming it.</summary>
internal static class OpenAiMapping
{
    public static ChatInput Chat(OpenAiChatRequest r)
    {
        if (r.Messages is not { Count: > 0 }) throw Bad("messages must hold at least one message");
        if (r.N is int n && n != 1) throw Bad("n must be 1: one answer per request");
        var messages = new List<ApiMessage>();
        for (int i = 0; i < r.Messages.Count; i++)
            messages.Add(Message(r.Messages[i] ?? throw Bad($"messages[{i}] must be an object"), $"messages[{i}]"));
        // "developer" is OpenAI's newer name for the system role.
        messages = [.. messages.Select(m => m.Role == "developer" ? m with { Role = "system" } : m)];

        var tools = HttpTools.Definitions(r.Tools);
        bool required = false;
        switch (r.ToolChoice)
        {
            case null or { ValueKind: JsonValueKind.Null }:
                break;
            case { ValueKind: JsonValueKind.String } s when s.GetString() == "auto":
                break;
            case { ValueKind: JsonValueKind.String } s when s.GetString() == "none":
                tools = [];
                break;
            case { ValueKind: JsonValueKind.String } s when s.GetString() == "required":
                required = tools.Count > 0 ? true : throw Bad("tool_choice \"required\" needs tools");
                break;
            case { ValueKind: JsonValueKind.Object } o when o.TryGetProperty("function", out var f) && f.ValueKind == JsonValueKind.Object
                && f.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String:
                tools = [.. tools.Where(t => t.Name == name.GetString())];
                if (tools.Count == 0) throw Bad($"tool_choice names function '{name.GetString()}', which is not in tools");
                required = true;
                break;
            default:
                throw Bad("tool_choice must be \"auto\", \"none\", \"required\" or {\"type\":\"function\",\"function\":{\"name\":…}}");
        }
        var (jsonObject, schema) = ResponseFormat(r.ResponseFormat);
        return new ChatInput
        {
            Messages = messages,
            Tools = tools,
            ToolCallRequired = required,
            ParallelToolCalls = r.ParallelToolCalls ?? true,
            JsonObject = jsonObject,
            JsonSchema = schema,
            MaxTokens = r.MaxCompletionTokens ?? r.MaxTokens,
            Temperature = r.Temperature,
            TopP = r.TopP,
            TopK = r.TopK,
            MinP = r.MinP,
            RepeatPenalty = r.RepeatPenalty,
            FrequencyPenalty = r.FrequencyPenalty,
            PresencePenalty = r.PresencePenalty,
            Seed = r.Seed is long s2 and >= 0 ? (ulong)s2 : null,
            Stop = Stop(r.Stop),
            CachePrompt = r.CachePrompt,
        };
    }

    private static ApiMessage Message(OpenAiMessage m, string field)
    {
        if (string.IsNullOrEmpty(m.Role)) throw Bad($"{field}.role is required");
        var calls = new List<ToolCall>();
        for (int i = 0; i < (m.ToolCalls?.Count ?? 0); i++)
        {
            var call = m.ToolCalls![i] ?? throw Bad($"{field}.tool_calls[{i}] must be an object");
            var f = call.Function ?? throw Bad($"{field}.tool_calls[{i}].function is required");
            if (string.IsNullOrEmpty(f.Name)) throw Bad($"{field}.tool_calls[{i}].function.name is required");
            calls.Add(new ToolCall(call.Id ?? ToolCall.NewId(), f.Name, HttpTools.Arguments(f.Arguments, $"{field}.tool_calls[{i}].function.arguments")));
        }
        return new ApiMessage(m.Role, Content(m.Content, $"{field}.content")) { ToolCalls = calls, ToolCallId = m.ToolCallId, ToolName = m.Name };
    }

    /// <summary>A string, null, or an array of parts of which the text ones are joined (images cannot be taken).</summary>
    private static string Content(JsonElement? content, string field)
    {
        switch (content)
        {
            case null or { ValueKind: JsonValueKind.Null }:
                return "";
            case { ValueKind: JsonValueKind.String } s:
                return s.GetString()!;
            case { ValueKind: JsonValueKind.Array } parts:
                var text = new StringBuilder();
                int i = 0;
                foreach (var part in parts.EnumerateArray())
                {
                    if (part.ValueKind != JsonValueKind.Object || !part.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
                        throw Bad($"{field}[{i}] must be a content part with a type");
                    if (type.GetString() != "text") throw Bad($"{field}[{i}]: this model takes only text parts, not '{type.GetString()}'");
                    if (!part.TryGetProperty("text", out var t) || t.ValueKind != JsonValueKind.String) throw Bad($"{field}[{i}].text must be a string");
                    text.Append(t.GetString());
                    i++;
                }
                return text.ToString();
            default:
                throw Bad($"{field} must be a string or an array of content parts");
        }
    }

    private static (bool JsonObject, string? Schema) ResponseFormat(JsonElement? format)
    {
        if (format is null or { ValueKind: JsonValueKind.Null }) return (false, null);
        var f = format.Value;
        if (f.ValueKind != JsonValueKind.Object || !f.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
            throw Bad("response_format must be an object with a type");
        switch (type.GetString())
        {
            case "text":
                return (false, null);
            case "json_object":
                return (true, null);
            case "json_schema":
                if (f.TryGetProperty("json_schema", out var js) && js.ValueKind == JsonValueKind.Object
                    && js.TryGetProperty("schema", out var schema) && schema.ValueKind == JsonValueKind.Object)
                    return (true, schema.GetRawText());
                throw Bad("response_format.json_schema.schema must be a JSON schema object");
            default:
                throw Bad($"response_format.type must be text, json_object or json_schema, got '{type.GetString()}'");
        }
    }

    private static List<string> Stop(JsonElement? stop)
    {
        switch (stop)
        {
            case null or { ValueKind: JsonValueKind.Null }:
                return [];
            case { ValueKind: JsonValueKind.String } s:
                return [s.GetString()!];
            case { ValueKind: JsonValueKind.Array } a:
                var list = new List<string>();
                foreach (var item in a.EnumerateArray())
                    list.Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : throw Bad("stop must be a string or an array of strings"));
                if (list.Count > 16) throw Bad("stop may hold at most 16 strings");
                return list;
            default:
                throw Bad("stop must be a string or an array of strings");
        }
    }

    private static RequestException Bad(string message) => new(ErrorCodes.BadRequest, message);
}
