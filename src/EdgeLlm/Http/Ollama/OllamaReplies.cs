using System.Text.Json;

namespace EdgeLlm.Http.Ollama;

// Ollama's response bodies, field for field.

internal sealed record OllamaError(string Error);

internal sealed record OllamaVersion(string Version);

internal sealed record OllamaModelDetails(
    string ParentModel, string Format, string Family, IReadOnlyList<string> Families, string ParameterSize, string QuantizationLevel);

internal sealed record OllamaModelEntry(string Name, string Model, DateTime ModifiedAt, long Size, string Digest, OllamaModelDetails Details);

internal sealed record OllamaTags(IReadOnlyList<OllamaModelEntry> Models);

internal sealed record OllamaRunningModel(
    string Name, string Model, long Size, string Digest, OllamaModelDetails Details, DateTime ExpiresAt, long SizeVram, int ContextLength);

internal sealed record OllamaRunning(IReadOnlyList<OllamaRunningModel> Models);

internal sealed record OllamaShow(
    string License, string Modelfile, string Parameters, string Template, OllamaModelDetails Details,
    Dictionary<string, JsonElement> ModelInfo, IReadOnlyList<string> Capabilities, DateTime ModifiedAt);

internal sealed record OllamaStatus(string Status);

/// <summary>A streamed /api/pull line: status, and while downloading the digest and completed/total bytes.</summary>
internal sealed record OllamaPullStatus(string Status, string? Digest = null, long? Total = null, long? Completed = null);

internal sealed record OllamaFunctionOut(string Name, JsonElement Arguments, int? Index = null);

internal sealed record OllamaToolCallOut(OllamaFunctionOut Function);

internal sealed record OllamaMessageOut(string Role, string Content, string? Thinking = null, IReadOnlyList<OllamaToolCallOut>? ToolCalls = null);

/// <summary>A chat chunk; the last one (<see cref="Done"/>) carries the figures, durations in nanoseconds.</summary>
internal sealed record OllamaChatChunk(string Model, string CreatedAt, OllamaMessageOut Message, bool Done)
{
    public string? DoneReason { get; init; }
    public long? TotalDuration { get; init; }
    public long? LoadDuration { get; init; }
    public int? PromptEvalCount { get; init; }
    public long? PromptEvalDuration { get; init; }
    public int? EvalCount { get; init; }
    public long? EvalDuration { get; init; }

    // Not ollama's (clients ignore unknown fields): prompt tokens served from the prompt cache, the prompt's time and the
    // time to the first token, in milliseconds, as the socket's final reply has them.
    public int? CachedTokens { get; init; }
    public double? PromptMs { get; init; }
    public double? TtftMs { get; init; }
}

internal sealed record OllamaGenerateChunk(string Model, string CreatedAt, string Response, bool Done)
{
    public string? Thinking { get; init; }
    public string? DoneReason { get; init; }
    public long? TotalDuration { get; init; }
    public long? LoadDuration { get; init; }
    public int? PromptEvalCount { get; init; }
    public long? PromptEvalDuration { get; init; }
    public int? EvalCount { get; init; }
    public long? EvalDuration { get; init; }

    // Not ollama's (clients ignore unknown fields): prompt tokens served from the prompt cache, the prompt's time and the
    // time to the first token, in milliseconds, as the socket's final reply has them.
    public int? CachedTokens { get; init; }
    public double? PromptMs { get; init; }
    public double? TtftMs { get; init; }
}
