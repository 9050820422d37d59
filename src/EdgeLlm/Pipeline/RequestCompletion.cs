using EdgeLlm.Core.Generation;

namespace EdgeLlm.Pipeline;

/// <summary>The final figures of a request; <see cref="FinishReason"/> is a wire name: stop, length, context, cancelled or timeout.</summary>
public sealed record RequestCompletion(
    string Text,
    string FinishReason,
    int PromptTokens,
    int Tokens,
    int ReusedPromptTokens,
    double PromptTokensPerSecond,
    double TokensPerSecond)
{
    public const string Timeout = "timeout";

    public static RequestCompletion From(GenerationResult r, string finishReason) => new(
        r.Text, finishReason, r.PromptTokens, r.GeneratedTokens, r.ReusedPromptTokens, r.PromptTokensPerSecond, r.TokensPerSecond);

    /// <summary>A request cancelled before it started.</summary>
    public static RequestCompletion CancelledUnstarted(int promptTokens) =>
        new("", Core.Generation.FinishReason.Cancelled.ToWireName(), promptTokens, 0, 0, 0, 0);
}
