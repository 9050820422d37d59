using System.Text.Json;
using EdgeLlm.Http.Ollama;

namespace EdgeLlm.Http.OpenAi;

// OpenAI's Chat Completions request (platform.openai.com/docs/api-reference/chat/create), plus llama.cpp's common
// sampling extras (top_k, min_p, repeat_penalty). Fields of several shapes are read as JSON and checked by OpenAiMapping.

internal sealed class OpenAiChatRequest
{
    public string? Model { get; init; }
    public List<OpenAiMessage>? Messages { get; init; }
    public List<ToolSpec>? Tools { get; init; }
    public JsonElement? ToolChoice { get; init; }
    public bool? ParallelToolCalls { get; init; }
    public JsonElement? ResponseFormat { get; init; }
    public bool? Stream { get; init; }
    public OpenAiStreamOptions? StreamOptions { get; init; }
    public float? Temperature { get; init; }
    public float? TopP { get; init; }
    public int? TopK { get; init; }
    public float? MinP { get; init; }
    public float? RepeatPenalty { get; init; }
    public float? FrequencyPenalty { get; init; }
    public float? PresencePenalty { get; init; }
    public int? MaxTokens { get; init; }
    public int? MaxCompletionTokens { get; init; }
    public JsonElement? Stop { get; init; }
    public long? Seed { get; init; }
    public int? N { get; init; }

    /// <summary>llama.cpp server's extra: false opts out of the prompt cache.</summary>
    public bool? CachePrompt { get; init; }
}

internal sealed class OpenAiStreamOptions
{
    public bool? IncludeUsage { get; init; }
}

internal sealed class OpenAiMessage
{
    public string? Role { get; init; }

    /// <summary>A string, an array of content parts (only text parts are taken), or null (an assistant's calls).</summary>
    public JsonElement? Content { get; init; }

    public string? Name { get; init; }
    public List<OpenAiToolCall>? ToolCalls { get; init; }
    public string? ToolCallId { get; init; }
}

internal sealed class OpenAiToolCall
{
    public string? Id { get; init; }
    public string? Type { get; init; }
    public OpenAiFunctionCall? Function { get; init; }
}

internal sealed class OpenAiFunctionCall
{
    public string? Name { get; init; }

    /// <summary>A string holding a JSON object, as OpenAI sends it (an object is accepted too).</summary>
    public JsonElement? Arguments { get; init; }
}
