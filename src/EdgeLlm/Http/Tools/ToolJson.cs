using System.Text;
using System.Text.Json;

namespace EdgeLlm.Http.Tools;

/// <summary>The JSON texts the tool prompts and calls are made of, written by hand (no reflection under NativeAOT).</summary>
internal static class ToolJson
{
    private static readonly JsonWriterOptions Options = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary><c>{"type":"function","function":{"name":…,"description":…,"parameters":…}}</c>, as the families' templates show a tool.</summary>
    public static string Tool(ToolDefinition tool) => Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("type", "function");
        w.WriteStartObject("function");
        w.WriteString("name", tool.Name);
        if (tool.Description is not null) w.WriteString("description", tool.Description);
        w.WritePropertyName("parameters");
        w.WriteRawValue(tool.ParametersJson);
        w.WriteEndObject();
        w.WriteEndObject();
    });

    /// <summary><c>{"name":…,"&lt;argumentsKey&gt;":{…}}</c> (plus <c>"id"</c> when given).</summary>
    public static string Call(ToolCall call, string argumentsKey, bool withId = false) => Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("name", call.Name);
        w.WritePropertyName(argumentsKey);
        w.WriteRawValue(call.ArgumentsJson);
        if (withId) w.WriteString("id", call.Id);
        w.WriteEndObject();
    });

    /// <summary>Mistral's tool result: <c>{"content":…,"call_id":…}</c>.</summary>
    public static string MistralResult(string content, string? callId) => Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("content", content);
        if (callId is not null) w.WriteString("call_id", callId);
        w.WriteEndObject();
    });

    public static string Write(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Options)) write(writer);
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
