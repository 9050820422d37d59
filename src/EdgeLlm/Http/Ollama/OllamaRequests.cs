using System.Text.Json;

namespace EdgeLlm.Http.Ollama;

// Ollama's request bodies (github.com/ollama/ollama api/types.go). Unknown fields are ignored, as ollama does;
// fields that take several shapes (format, keep_alive, think, stop) are read as JSON and checked by OllamaMapping.

internal sealed class OllamaChatRequest
{
    public string? Model { get; init; }
    public List<OllamaMessage>? Messages { get; init; }
    public List<ToolSpec>? Tools { get; init; }
    public JsonElement? Format { get; init; }
    public OllamaOptions? Options { get; init; }
    public bool? Stream { get; init; }
    public JsonElement? KeepAlive { get; init; }
    public JsonElement? Think { get; init; }

    /// <summary>Not ollama's: llama.cpp's spelling, false opts out of the prompt cache.</summary>
    public bool? CachePrompt { get; init; }
}

internal sealed class OllamaGenerateRequest
{
    public string? Model { get; init; }
    public string? Prompt { get; init; }
    public string? Suffix { get; init; }
    public string? System { get; init; }
    public bool? Raw { get; init; }
    public JsonElement? Format { get; init; }
    public OllamaOptions? Options { get; init; }
    public bool? Stream { get; init; }
    public JsonElement? KeepAlive { get; init; }
    public JsonElement? Think { get; init; }
    public List<string>? Images { get; init; }

    /// <summary>Not ollama's: llama.cpp's spelling, false opts out of the prompt cache.</summary>
    public bool? CachePrompt { get; init; }
}

internal sealed class OllamaModelRequest
{
    public string? Model { get; init; }

    /// <summary>The older spelling of <see cref="Model"/>.</summary>
    public string? Name { get; init; }

    public bool? Stream { get; init; }
}

internal sealed class OllamaMessage
{
    public string? Role { get; init; }
    public string? Content { get; init; }
    public string? Thinking { get; init; }
    public List<string>? Images { get; init; }
    public List<OllamaToolCall>? ToolCalls { get; init; }
    public string? ToolName { get; init; }
}

internal sealed class OllamaToolCall
{
    public OllamaFunctionCall? Function { get; init; }
}

internal sealed class OllamaFunctionCall
{
    public int? Index { get; init; }
    public string? Name { get; init; }
    public JsonElement? Arguments { get; init; }
}

/// <summary>A tool offered in a request; the same shape in ollama and OpenAI.</summary>
internal sealed class ToolSpec
{
    public string? Type { get; init; }
    public FunctionSpec? Function { get; init; }
}

internal sealed class FunctionSpec
{
    public string? Name { get; init; }
    public string? Description { get; init; }
    public JsonElement? Parameters { get; init; }
}

internal sealed class OllamaOptions
{
    public float? Temperature { get; init; }
    public float? TopP { get; init; }
    public int? TopK { get; init; }
    public float? MinP { get; init; }
    public float? RepeatPenalty { get; init; }
    public int? RepeatLastN { get; init; }
    public float? FrequencyPenalty { get; init; }
    public float? PresencePenalty { get; init; }
    public long? Seed { get; init; }
    public List<string>? Stop { get; init; }
    public int? NumPredict { get; init; }
    public int? NumCtx { get; init; }
}
