using System.Text.Json.Serialization;

namespace EdgeLlm.Http.OpenAi;

// OpenAI's response bodies, field for field.

internal sealed record OpenAiErrorBody(string Message, string Type, string? Param, string? Code);

internal sealed record OpenAiError(OpenAiErrorBody Error);

internal sealed record OpenAiModel(string Id, string Object, long Created, string OwnedBy);

internal sealed record OpenAiModelList(string Object, IReadOnlyList<OpenAiModel> Data);

internal sealed record OpenAiFunctionOut(string Name, string Arguments);

internal sealed record OpenAiToolCallOut(string Id, string Type, OpenAiFunctionOut Function)
{
    /// <summary>Position in the message's calls; streamed deltas only.</summary>
    public int? Index { get; init; }
}

internal sealed record OpenAiMessageOut(string Role, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Content)
{
    public string? ReasoningContent { get; init; }
    public IReadOnlyList<OpenAiToolCallOut>? ToolCalls { get; init; }
}

internal sealed record OpenAiChoice(int Index, OpenAiMessageOut Message, string FinishReason);

internal sealed record OpenAiUsage(int PromptTokens, int CompletionTokens, int TotalTokens, OpenAiPromptTokensDetails PromptTokensDetails);

/// <summary>OpenAI's own place for prompt tokens served from a cache.</summary>
internal sealed record OpenAiPromptTokensDetails(int CachedTokens);

/// <summary>
/// llama.cpp server's <c>timings</c> object (on the final chunk and the whole completion): OpenAI has no field for the
/// prompt's time or the time to the first token.
/// </summary>
internal sealed record OpenAiTimings(int CacheN, int PromptN, double PromptMs, double? TtftMs, int PredictedN);

internal sealed record OpenAiCompletion(string Id, string Object, long Created, string Model, IReadOnlyList<OpenAiChoice> Choices, OpenAiUsage Usage)
{
    public OpenAiTimings? Timings { get; init; }
}

internal sealed record OpenAiDelta
{
    public string? Role { get; init; }
    public string? Content { get; init; }
    public string? ReasoningContent { get; init; }
    public IReadOnlyList<OpenAiToolCallOut>? ToolCalls { get; init; }
}

internal sealed record OpenAiChunkChoice(int Index, OpenAiDelta Delta, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? FinishReason);

internal sealed record OpenAiChunk(string Id, string Object, long Created, string Model, IReadOnlyList<OpenAiChunkChoice> Choices)
{
    public OpenAiUsage? Usage { get; init; }
    public OpenAiTimings? Timings { get; init; }
}
