using System.Text;
using System.Text.Json;

namespace EdgeLlm.Http.Tools;

/// <summary>
/// Finds the function calls in a model's answer, in any family's way: Hermes/Qwen <c>&lt;tool_call&gt;{…}&lt;/tool_call&gt;</c>,
/// Mistral <c>[TOOL_CALLS] [{…}]</c>, Llama 3 <c>&lt;|python_tag|&gt;{…}</c> or an answer that is nothing but
/// <c>{"name":…,"parameters":…}</c> (also in a ```json fence, several joined by <c>;</c>). A call counts only when it names
/// one of the offered functions and its arguments are a JSON object; anything else stays answer text.
/// </summary>
public static class ToolCallParser
{
    public const string HermesOpen = "<tool_call>";
    public const string HermesClose = "</tool_call>";
    public const string PythonTag = "<|python_tag|>";
    public const string MistralTag = "[TOOL_CALLS]";

    /// <summary>Markers that start a call anywhere in an answer (a bare JSON call must start the answer).</summary>
    public static readonly string[] Triggers = [HermesOpen, PythonTag, MistralTag];

    /// <summary>The calls in <paramref name="text"/> and the text around them; no calls = all of it is content.</summary>
    public static (string Content, List<ToolCall> Calls) Parse(string text, IReadOnlyCollection<string> toolNames)
    {
        var calls = new List<ToolCall>();
        if (text.Contains(HermesOpen, StringComparison.Ordinal))
        {
            var content = new StringBuilder();
            int at = 0;
            while (true)
            {
                int open = text.IndexOf(HermesOpen, at, StringComparison.Ordinal);
                if (open < 0)
                {
                    content.Append(text[at..]);
                    break;
                }
                content.Append(text[at..open]);
                int bodyStart = open + HermesOpen.Length;
                int close = text.IndexOf(HermesClose, bodyStart, StringComparison.Ordinal);
                string body = close < 0 ? text[bodyStart..] : text[bodyStart..close];
                if (!TryCalls(body, toolNames, calls)) content.Append(close < 0 ? text[open..] : text[open..(close + HermesClose.Length)]);
                if (close < 0) break;
                at = close + HermesClose.Length;
            }
            return calls.Count > 0 ? (content.ToString().Trim(), calls) : (text, []);
        }
        foreach (string tag in (ReadOnlySpan<string>)[MistralTag, PythonTag])
        {
            int i = text.IndexOf(tag, StringComparison.Ordinal);
            if (i >= 0 && TryCalls(text[(i + tag.Length)..], toolNames, calls)) return (text[..i].Trim(), calls);
        }
        return TryCalls(StripFence(text), toolNames, calls) ? ("", calls) : (text, []);
    }

    /// <summary>Reads the JSON calls making up all of <paramref name="text"/> (objects or arrays of them, joined by ; , or whitespace).</summary>
    private static bool TryCalls(string text, IReadOnlyCollection<string> toolNames, List<ToolCall> calls)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text.Trim());
        if (bytes.Length == 0 || bytes[0] is not ((byte)'{' or (byte)'[')) return false;
        var found = new List<ToolCall>();
        int offset = 0;
        while (offset < bytes.Length)
        {
            if (bytes[offset] is (byte)';' or (byte)',' or (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
            {
                offset++;
                continue;
            }
            var reader = new Utf8JsonReader(bytes.AsSpan(offset), new JsonReaderOptions { MaxDepth = 64 });
            try
            {
                using var doc = JsonDocument.ParseValue(ref reader);
                if (!AddCalls(doc.RootElement, toolNames, found)) return false;
            }
            catch (JsonException)
            {
                return false;
            }
            offset += (int)reader.BytesConsumed;
        }
        if (found.Count == 0) return false;
        calls.AddRange(found);
        return true;
    }

    private static bool AddCalls(JsonElement value, IReadOnlyCollection<string> toolNames, List<ToolCall> calls)
    {
        if (value.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in value.EnumerateArray())
                if (!AddCalls(item, toolNames, calls)) return false;
            return true;
        }
        if (value.ValueKind != JsonValueKind.Object) return false;
        if (value.TryGetProperty("function", out var function) && function.ValueKind == JsonValueKind.Object) value = function;
        if (!value.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String || !toolNames.Contains(name.GetString()!)) return false;
        string? arguments = null;
        foreach (string key in (ReadOnlySpan<string>)["arguments", "parameters"])
        {
            if (!value.TryGetProperty(key, out var a)) continue;
            arguments = a.ValueKind switch
            {
                JsonValueKind.Object => a.GetRawText(),
                // Some models write the arguments as a JSON string, as OpenAI's wire format does.
                JsonValueKind.String when IsJsonObject(a.GetString()!) => a.GetString(),
                _ => null,
            };
            if (arguments is null) return false;
            break;
        }
        string id = value.TryGetProperty("id", out var idValue) && idValue.ValueKind == JsonValueKind.String ? idValue.GetString()! : ToolCall.NewId();
        calls.Add(new ToolCall(id, name.GetString()!, arguments ?? "{}"));
        return true;
    }

    private static bool IsJsonObject(string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            return doc.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string StripFence(string text)
    {
        string t = text.Trim();
        if (!t.StartsWith("```", StringComparison.Ordinal) || !t.EndsWith("```", StringComparison.Ordinal) || t.Length < 6) return t;
        int newline = t.IndexOf('\n');
        return newline < 0 ? t : t[(newline + 1)..^3];
    }
}
