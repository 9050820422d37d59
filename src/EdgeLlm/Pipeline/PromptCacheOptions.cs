using EdgeLlm.Core.Generation;

namespace EdgeLlm.Pipeline;

/// <summary>The prompt cache the daemon runs with: its limits (from the memory guard's plan) and directory (null: memory only).</summary>
public sealed record PromptCacheOptions(PromptCacheLimits Limits, string? Directory);
