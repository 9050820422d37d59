using System.Text.Json.Serialization;

namespace EdgeLlm.Http.OpenAi;

/// <summary>Source-generated JSON of the OpenAI API (snake_case, nulls left out unless OpenAI writes them).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(OpenAiChatRequest))]
[JsonSerializable(typeof(OpenAiError))]
[JsonSerializable(typeof(OpenAiModelList))]
[JsonSerializable(typeof(OpenAiCompletion))]
[JsonSerializable(typeof(OpenAiChunk))]
internal sealed partial class OpenAiJson : JsonSerializerContext;
