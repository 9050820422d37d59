using EdgeLlm.Pipeline;

namespace EdgeLlm.Protocol;

public static class StatusReplies
{
    public static StatusReply From(string? id, PipelineStatus s) => new(
        id, s.Model, s.Template, s.ContextSize, s.State, s.Generating, s.QueueDepth, s.QueueLength, s.RequestsServed, s.RequestsRejected,
        Math.Round(s.LastTokensPerSecond, 2), Math.Round(s.LastPromptTokensPerSecond, 2), Math.Round(s.Uptime.TotalSeconds, 1), s.Guards);
}
