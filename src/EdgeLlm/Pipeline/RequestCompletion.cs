using EdgeLlm.Core.Generation;

namespace EdgeLlm.Pipeline;

/// <summary>The final figures of a request; <see cref="FinishReason"/> is a wire name: stop, length, context, cancelled or timeout.</summary>
/// <param name="ReusedPromptTokens">Prompt tokens not recomputed (taken from the prompt cache): the wire's <c>cached_tokens</c>.</param>
/// <param name="PromptMilliseconds">The prompt's time: restoring a cached prefix and computing the rest.</param>
/// <param name="FirstTokenMilliseconds">From the start of the generation to its first token; null when no token was sampled.</param>
public sealed record RequestCompletion(
    string Text,
    string FinishReason,
    int PromptTokens,
    int Tokens,
    int ReusedPromptTokens,
    double PromptTokensPerSecond,
    double TokensPerSecond,
    double PromptMilliseconds = 0,
    double? FirstTokenMilliseconds = null)
{
    public const string Timeout = "timeout";

    public static RequestCompletion From(GenerationResult r, string finishReason) => new(
        r.Text, finishReason, r.PromptTokens, r.GeneratedTokens, r.ReusedPromptTokens, r.PromptTokensPerSecond, r.TokensPerSecond,
        r.PromptTime.TotalMilliseconds, r.TimeToFirstToken?.TotalMilliseconds);

    /// <summary>A request cancelled before it started.</summary>
    public static RequestCompletion CancelledUnstarted(int promptTokens) =>
        new("", Core.Generation.FinishReason.Cancelled.ToWireName(), promptTokens, 0, 0, 0, 0);
}
