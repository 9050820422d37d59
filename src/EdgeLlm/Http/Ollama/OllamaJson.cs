using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace EdgeLlm.Http.Ollama;

/// <summary>Source-generated JSON of the ollama API (snake_case, nulls left out, as ollama writes them).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(OllamaChatRequest))]
[JsonSerializable(typeof(OllamaGenerateRequest))]
[JsonSerializable(typeof(OllamaModelRequest))]
[JsonSerializable(typeof(OllamaError))]
[JsonSerializable(typeof(OllamaVersion))]
[JsonSerializable(typeof(OllamaTags))]
[JsonSerializable(typeof(OllamaRunning))]
[JsonSerializable(typeof(OllamaShow))]
[JsonSerializable(typeof(OllamaStatus))]
[JsonSerializable(typeof(OllamaPullStatus))]
[JsonSerializable(typeof(OllamaChatChunk))]
[JsonSerializable(typeof(OllamaGenerateChunk))]
internal sealed partial class OllamaJson : JsonSerializerContext
{
    /// <summary>As <see cref="Default"/>, but non-ASCII answer text stays readable (quotes, backslashes and control characters are still escaped).</summary>
    public static OllamaJson Web { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
