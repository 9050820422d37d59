namespace EdgeLlm.Pipeline;

/// <summary>A snapshot of the pipeline for the status op, systemd STATUS= lines and the watchdog.</summary>
public sealed record PipelineStatus(
    string Model,
    string Template,
    int ContextSize,
    string State,
    bool Generating,
    int QueueDepth,
    int QueueLength,
    long RequestsServed,
    long RequestsRejected,
    double LastTokensPerSecond,
    double LastPromptTokensPerSecond,
    TimeSpan Uptime,
    IReadOnlyDictionary<string, string> Guards)
{
    /// <summary>The prompt cache's slots, most recently used first (empty when it is off).</summary>
    public IReadOnlyList<PromptCacheSlotStatus> PromptCache { get; init; } = [];
}
