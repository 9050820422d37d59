using System.Text.Json;
using System.Text.Unicode;
using EdgeLlm.Core.Prompts;

namespace EdgeLlm.Protocol;

/// <summary>
/// Parses one client line (UTF-8 JSON object, without the newline) into a <see cref="WireLine"/>. Strict: invalid
/// UTF-8, invalid JSON, duplicate or unknown fields and fields of the wrong type all give a <see cref="WireInvalid"/>
/// whose message names the field. Never throws.
/// </summary>
public static class WireParser
{
    /// <summary>At most this many stop strings per request.</summary>
    public const int MaxStopStrings = 16;

    // Deep enough for nested json_schema objects, still far from a nesting bomb.
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 32 };

    public static WireLine Parse(ReadOnlyMemory<byte> line)
    {
        if (!Utf8.IsValid(line.Span))
            return Invalid(IdRecovery.TryRead(line.Span), "the line is not valid UTF-8");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(line, Options);
        }
        catch (JsonException e)
        {
            return Invalid(IdRecovery.TryRead(line.Span), $"invalid JSON: {ErrorText.Json(e)}");
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return Invalid(null, "expected a JSON object per line");
            string? id = null;
            try
            {
                if (root.TryGetProperty("id", out var idElement) && idElement.ValueKind != JsonValueKind.Null)
                    id = idElement.ValueKind == JsonValueKind.String ? idElement.GetString() : throw Bad("id", "must be a string");
                if (root.TryGetProperty("cancel", out var cancel))
                    return ParseCancel(root, cancel, id);
                if (root.TryGetProperty("op", out var op))
                    return ParseOp(root, op, id);
                return ParseRequest(root, id);
            }
            catch (WireFieldException e)
            {
                return Invalid(id, e.Message);
            }
            catch (Exception e) when (e is InvalidOperationException or FormatException or ArgumentException)
            {
                // E.g. a string holding an escaped lone surrogate.
                return Invalid(id, $"invalid value: {ErrorText.Plain(e).Split(". ")[0].TrimEnd('.')}");
            }
        }
    }

    private static WireLine ParseCancel(JsonElement root, JsonElement cancel, string? id)
    {
        foreach (var p in root.EnumerateObject())
            if (p.Name is not ("cancel" or "id"))
                throw Bad(p.Name, "is not allowed in a cancel message");
        return new WireCancel(cancel.ValueKind == JsonValueKind.String ? cancel.GetString()! : throw Bad("cancel", "must be a string (the id to cancel)"), id);
    }

    private static WireLine ParseOp(JsonElement root, JsonElement op, string? id)
    {
        foreach (var p in root.EnumerateObject())
            if (p.Name is not ("op" or "id"))
                throw Bad(p.Name, "is not allowed in an op message");
        string name = op.ValueKind == JsonValueKind.String ? op.GetString()! : throw Bad("op", "must be a string");
        return name == "status" ? new WireStatus(id) : throw Bad("op", $"unknown op '{name}' (known: status)");
    }

    private static WireRequest ParseRequest(JsonElement root, string? id)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var r = new WireRequest { Id = id };
        foreach (var p in root.EnumerateObject())
        {
            if (!seen.Add(p.Name)) throw Bad(p.Name, "appears twice");
            var v = p.Value;
            if (v.ValueKind == JsonValueKind.Null) continue;
            r = p.Name switch
            {
                "id" => r,
                "prompt" => r with { Prompt = String(p) },
                "system" => r with { System = String(p) },
                "messages" => r with { Messages = Messages(p) },
                "template" => r with { Template = String(p) },
                "max_tokens" => r with { MaxTokens = Int(p) },
                "temperature" => r with { Temperature = Float(p) },
                "top_k" => r with { TopK = Int(p) },
                "top_p" => r with { TopP = Float(p) },
                "min_p" => r with { MinP = Float(p) },
                "repeat_penalty" => r with { RepeatPenalty = Float(p) },
                "frequency_penalty" => r with { FrequencyPenalty = Float(p) },
                "presence_penalty" => r with { PresencePenalty = Float(p) },
                "seed" => r with { Seed = v.ValueKind == JsonValueKind.Number && v.TryGetUInt64(out ulong s) ? s : throw Bad(p.Name, "must be a non-negative integer") },
                "stop" => r with { Stop = Stops(p) },
                "stream" => r with { Stream = v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : throw Bad(p.Name, "must be true or false") },
                "think" => r with { Think = v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : throw Bad(p.Name, "must be true or false") },
                "cache_prompt" => r with { CachePrompt = v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : throw Bad(p.Name, "must be true or false") },
                "grammar" => r with { Grammar = String(p) },
                "json_schema" => r with { JsonSchema = v.ValueKind == JsonValueKind.Object ? v.GetRawText() : throw Bad(p.Name, "must be a JSON Schema object") },
                "format" => r with { Format = FormatValue(p) },
                _ => throw Bad(p.Name, "is not a known field"),
            };
        }
        return r;
    }

    private static string String(JsonProperty p) =>
        p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : throw Bad(p.Name, "must be a string");

    private static int Int(JsonProperty p) =>
        p.Value.ValueKind == JsonValueKind.Number && p.Value.TryGetInt32(out int v) ? v : throw Bad(p.Name, "must be an integer");

    private static float Float(JsonProperty p) =>
        p.Value.ValueKind == JsonValueKind.Number && p.Value.TryGetDouble(out double v) && double.IsFinite(v) ? (float)v : throw Bad(p.Name, "must be a number");

    private static string FormatValue(JsonProperty p) => p.Value.ValueKind switch
    {
        JsonValueKind.String when p.Value.ValueEquals("json") => "json",
        JsonValueKind.Object => p.Value.GetRawText(),
        _ => throw Bad(p.Name, "must be \"json\" or a JSON Schema object"),
    };

    private static string[] Stops(JsonProperty p)
    {
        if (p.Value.ValueKind == JsonValueKind.String) return [NonEmpty(p.Value.GetString()!)];
        if (p.Value.ValueKind != JsonValueKind.Array) throw Bad(p.Name, "must be a string or an array of strings");
        var list = new List<string>();
        foreach (var e in p.Value.EnumerateArray())
            list.Add(e.ValueKind == JsonValueKind.String ? NonEmpty(e.GetString()!) : throw Bad(p.Name, "must be an array of strings"));
        return list.Count <= MaxStopStrings ? [.. list] : throw Bad(p.Name, $"holds more than {MaxStopStrings} strings");

        static string NonEmpty(string s) => s.Length > 0 ? s : throw Bad("stop", "must not contain empty strings");
    }

    private static ChatMessage[] Messages(JsonProperty p)
    {
        if (p.Value.ValueKind != JsonValueKind.Array) throw Bad(p.Name, "must be an array of {\"role\",\"content\"} objects");
        var list = new List<ChatMessage>();
        foreach (var m in p.Value.EnumerateArray())
        {
            string at = $"messages[{list.Count}]";
            if (m.ValueKind != JsonValueKind.Object) throw Bad(at, "must be an object with role and content");
            string? role = null, content = null;
            foreach (var f in m.EnumerateObject())
            {
                string value = f.Value.ValueKind == JsonValueKind.String ? f.Value.GetString()! : throw Bad($"{at}.{f.Name}", "must be a string");
                if (f.Name == "role") role = value;
                else if (f.Name == "content") content = value;
                else throw Bad($"{at}.{f.Name}", "is not a known field (role, content)");
            }
            list.Add(new ChatMessage(role ?? throw Bad($"{at}.role", "is required"), content ?? throw Bad($"{at}.content", "is required")));
        }
        return list.Count > 0 ? [.. list] : throw Bad(p.Name, "must not be empty");
    }

    private static WireInvalid Invalid(string? id, string message) => new(id, ErrorCodes.BadRequest, message);

    private static WireFieldException Bad(string field, string message) => new($"{field} {message}");

    private sealed class WireFieldException(string message) : Exception(message);
}
