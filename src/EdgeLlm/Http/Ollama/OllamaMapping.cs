using System.Text.Json;
using EdgeLlm.Http.Tools;
using EdgeLlm.Pipeline;
using EdgeLlm.Protocol;

namespace EdgeLlm.Http.Ollama;

/// <summary>Ollama request bodies → <see cref="ChatInput"/>; a field of the wrong shape throws a <see cref="RequestException"/> naming it.</summary>
internal static class OllamaMapping
{
    public static ChatInput Chat(OllamaChatRequest r)
    {
        var messages = new List<ApiMessage>();
        for (int i = 0; i < r.Messages!.Count; i++)
            messages.Add(Message(r.Messages[i] ?? throw Bad($"messages[{i}] must be an object"), $"messages[{i}]"));
        CheckKeepAlive(r.KeepAlive);
        var (jsonObject, schema) = Format(r.Format);
        return Options(r.Options) with
        {
            Messages = messages,
            Tools = HttpTools.Definitions(r.Tools),
            JsonObject = jsonObject,
            JsonSchema = schema,
            Think = Think(r.Think),
            CachePrompt = r.CachePrompt,
        };
    }

    public static ChatInput Generate(OllamaGenerateRequest r)
    {
        if (r.Images is { Count: > 0 }) throw Bad("images: this model does not take images");
        if (r.Suffix is { Length: > 0 }) throw Bad("suffix: fill-in-the-middle is not supported");
        CheckKeepAlive(r.KeepAlive);
        var (jsonObject, schema) = Format(r.Format);
        var messages = new List<ApiMessage>();
        if (r.System is { Length: > 0 } system) messages.Add(new ApiMessage("system", system));
        messages.Add(new ApiMessage("user", r.Prompt ?? ""));
        return Options(r.Options) with
        {
            Messages = messages,
            // raw: the prompt is sent as it is, without the chat template.
            Template = r.Raw == true ? "raw" : null,
            JsonObject = jsonObject,
            JsonSchema = schema,
            Think = Think(r.Think),
            CachePrompt = r.CachePrompt,
        };
    }

    private static ApiMessage Message(OllamaMessage m, string field)
    {
        if (string.IsNullOrEmpty(m.Role)) throw Bad($"{field}.role is required");
        if (m.Images is { Count: > 0 }) throw Bad($"{field}.images: this model does not take images");
        var calls = new List<ToolCall>();
        for (int i = 0; i < (m.ToolCalls?.Count ?? 0); i++)
        {
            var f = m.ToolCalls![i]?.Function ?? throw Bad($"{field}.tool_calls[{i}].function is required");
            if (string.IsNullOrEmpty(f.Name)) throw Bad($"{field}.tool_calls[{i}].function.name is required");
            calls.Add(new ToolCall(ToolCall.NewId(), f.Name, HttpTools.Arguments(f.Arguments, $"{field}.tool_calls[{i}].function.arguments")));
        }
        return new ApiMessage(m.Role, m.Content ?? "") { ToolCalls = calls, ToolName = m.ToolName };
    }

    private static ChatInput Options(OllamaOptions? o) => o is null ? new ChatInput() : new ChatInput
    {
        Temperature = o.Temperature,
        TopP = o.TopP,
        TopK = o.TopK,
        MinP = o.MinP,
        RepeatPenalty = o.RepeatPenalty,
        RepeatLastN = o.RepeatLastN,
        FrequencyPenalty = o.FrequencyPenalty,
        PresencePenalty = o.PresencePenalty,
        // Ollama's seed -1 (or any negative) means random.
        Seed = o.Seed is long s and >= 0 ? (ulong)s : null,
        Stop = o.Stop ?? [],
        MaxTokens = o.NumPredict,
    };

    /// <summary><c>format</c>: "json", a JSON schema object, or empty.</summary>
    private static (bool JsonObject, string? Schema) Format(JsonElement? format) => format switch
    {
        null => (false, null),
        { ValueKind: JsonValueKind.Null } => (false, null),
        { ValueKind: JsonValueKind.String } f when f.GetString() is "" => (false, null),
        { ValueKind: JsonValueKind.String } f when f.GetString() == "json" => (true, null),
        { ValueKind: JsonValueKind.Object } f => (true, f.GetRawText()),
        _ => throw Bad("format must be \"json\" or a JSON schema object"),
    };

    /// <summary><c>think</c>: true/false, or a level ("low", "medium", "high") that means true.</summary>
    private static bool? Think(JsonElement? think) => think switch
    {
        null => null,
        { ValueKind: JsonValueKind.Null } => null,
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        { ValueKind: JsonValueKind.String } t when t.GetString() is "low" or "medium" or "high" => true,
        _ => throw Bad("think must be true, false, \"low\", \"medium\" or \"high\""),
    };

    /// <summary><c>keep_alive</c>: accepted and ignored (the one model stays loaded), but its shape is checked.</summary>
    private static void CheckKeepAlive(JsonElement? keepAlive)
    {
        if (keepAlive is { ValueKind: not (JsonValueKind.Number or JsonValueKind.String or JsonValueKind.Null) })
            throw Bad("keep_alive must be a number of seconds or a duration such as \"5m\"");
    }

    private static RequestException Bad(string message) => new(ErrorCodes.BadRequest, message);
}
