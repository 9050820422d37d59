namespace EdgeLlm.Core.Generation;

/// <summary>The answer and the figures of one generation.</summary>
public sealed record GenerationResult(
    string Text,
    FinishReason FinishReason,
    int PromptTokens,
    int GeneratedTokens,
    int ReusedPromptTokens,
    TimeSpan PromptTime,
    TimeSpan GenerationTime,
    int? EvaluatedPromptTokens = null)
{
    /// <summary>Prompt tokens run through the model: all but the reused ones, fewer when cancelled mid-prompt.</summary>
    public int PromptTokensEvaluated => EvaluatedPromptTokens ?? PromptTokens - ReusedPromptTokens;

    /// <summary>From the start of the generation to the first sampled token (prompt restore, prefill, first sample); null when none was.</summary>
    public TimeSpan? TimeToFirstToken { get; init; }

    /// <summary>Where the reused prefix came from: null (none), "memory" (the live KV cache), "slot" (another prompt cache slot) or "disk".</summary>
    public string? CacheSource { get; init; }

    public double PromptTokensPerSecond => PromptTime.TotalSeconds > 0 ? PromptTokensEvaluated / PromptTime.TotalSeconds : 0;
    public double TokensPerSecond => GenerationTime.TotalSeconds > 0 ? GeneratedTokens / GenerationTime.TotalSeconds : 0;
}
