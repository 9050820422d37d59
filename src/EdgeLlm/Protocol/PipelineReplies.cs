using EdgeLlm.Pipeline;

namespace EdgeLlm.Protocol;

/// <summary>Replies built from pipeline results, shared by every transport so that their JSON cannot drift apart.</summary>
public static class PipelineReplies
{
    public static DoneReply Done(string? id, RequestCompletion c) => new(
        id, c.Text, c.FinishReason, c.PromptTokens, c.Tokens, Math.Round(c.PromptTokensPerSecond, 2), Math.Round(c.TokensPerSecond, 2),
        c.ReusedPromptTokens, Math.Round(c.PromptMilliseconds, 1), c.FirstTokenMilliseconds is double t ? Math.Round(t, 1) : null);

    public static StatusReply Status(string? id, PipelineStatus s) => new(
        id, s.Model, s.Template, s.ContextSize, s.State, s.Generating, s.QueueDepth, s.QueueLength, s.RequestsServed, s.RequestsRejected,
        Math.Round(s.LastTokensPerSecond, 2), Math.Round(s.LastPromptTokensPerSecond, 2), Math.Round(s.Uptime.TotalSeconds, 1), s.Guards,
        [.. s.PromptCache.Select(p => new PromptCacheSlotReply(p.Tokens, p.Bytes, p.LastUse, p.OnDisk))]);
}
