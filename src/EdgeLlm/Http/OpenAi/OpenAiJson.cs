using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace EdgeLlm.Http.OpenAi;

/// <summary>Source-generated JSON of the OpenAI API (snake_case, nulls left out unless OpenAI writes them).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(OpenAiChatRequest))]
[JsonSerializable(typeof(OpenAiError))]
[JsonSerializable(typeof(OpenAiModelList))]
[JsonSerializable(typeof(OpenAiCompletion))]
[JsonSerializable(typeof(OpenAiChunk))]
internal sealed partial class OpenAiJson : JsonSerializerContext
{
    /// <summary>As <see cref="Default"/>, but non-ASCII answer text stays readable (quotes, backslashes and control characters are still escaped).</summary>
    public static OpenAiJson Web { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
