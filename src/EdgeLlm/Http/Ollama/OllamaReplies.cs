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

/// <summary>
/// What ollama's last chunk of a chat or generate answer carries besides its text: the done reason and the figures,
/// durations in nanoseconds. Set once, on the final chunk, by <see cref="Fill"/>.
/// </summary>
internal abstract record OllamaDoneFigures
{
    public string? DoneReason { get; set; }
    public long? TotalDuration { get; set; }
    public long? LoadDuration { get; set; }
    public int? PromptEvalCount { get; set; }
    public long? PromptEvalDuration { get; set; }
    public int? EvalCount { get; set; }
    public long? EvalDuration { get; set; }

    // Not ollama's (clients ignore unknown fields): prompt tokens served from the prompt cache, the prompt's time and the
    // time to the first token, in milliseconds, as the socket's final reply has them.
    public int? CachedTokens { get; set; }
    public double? PromptMs { get; set; }
    public double? TtftMs { get; set; }

    /// <summary>The figures of a finished generation that started at <paramref name="start"/> (a Stopwatch timestamp).</summary>
    public void Fill(Pipeline.RequestCompletion c, long start)
    {
        DoneReason = c.FinishReason;
        TotalDuration = HttpApi.Elapsed(start);
        LoadDuration = 0;
        PromptEvalCount = c.PromptTokens;
        PromptEvalDuration = HttpApi.NanosecondsFor(c.PromptTokens - c.ReusedPromptTokens, c.PromptTokensPerSecond);
        EvalCount = c.Tokens;
        EvalDuration = HttpApi.NanosecondsFor(c.Tokens, c.TokensPerSecond);
        CachedTokens = c.ReusedPromptTokens;
        PromptMs = Math.Round(c.PromptMilliseconds, 1);
        TtftMs = c.FirstTokenMilliseconds is double t ? Math.Round(t, 1) : null;
    }
}

/// <summary>A chat chunk; the last one (<see cref="Done"/>) carries the figures.</summary>
internal sealed record OllamaChatChunk(string Model, string CreatedAt, OllamaMessageOut Message, bool Done) : OllamaDoneFigures;

internal sealed record OllamaGenerateChunk(string Model, string CreatedAt, string Response, bool Done) : OllamaDoneFigures
{
    public string? Thinking { get; init; }
}
