namespace EdgeLlm.Core.Generation;

/// <summary>The answer and the figures of one generation.</summary>
public sealed record GenerationResult(
    string Text,
    FinishReason FinishReason,
    int PromptTokens,
    int GeneratedTokens,
    int ReusedPromptTokens,
    TimeSpan PromptTime,
    TimeSpan GenerationTime)
{
    public double PromptTokensPerSecond => PromptTime.TotalSeconds > 0 ? (PromptTokens - ReusedPromptTokens) / PromptTime.TotalSeconds : 0;
    public double TokensPerSecond => GenerationTime.TotalSeconds > 0 ? GeneratedTokens / GenerationTime.TotalSeconds : 0;
}
