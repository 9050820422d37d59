using EdgeLlm.Core.Sampling;

namespace EdgeLlm.Pipeline;

/// <summary>The request-handling settings of the daemon (taken from the configuration).</summary>
public sealed record PipelineOptions
{
    /// <summary>Template for requests that name none: a name or <c>auto</c> (from the model file).</summary>
    public string DefaultTemplate { get; init; } = "auto";

    /// <summary>Whether a thinking model (Qwen3) thinks when a request does not say (config <c>think</c>).</summary>
    public bool DefaultThink { get; init; }

    /// <summary>Sampling for fields a request leaves out.</summary>
    public SamplingOptions DefaultSampling { get; init; } = new();

    /// <summary><c>max_tokens</c> of a request that names none.</summary>
    public int DefaultMaxTokens { get; init; } = 256;

    /// <summary>Largest <c>max_tokens</c> a request may ask for.</summary>
    public int MaxAnswerTokens { get; init; } = 1024;

    /// <summary>Longest prompt in tokens; 0 means the context size.</summary>
    public int MaxPromptTokens { get; init; }

    /// <summary>Requests that may wait behind the running one; more are refused with <c>busy</c>.</summary>
    public int QueueLength { get; init; } = 8;

    /// <summary>Time from acceptance to the final reply; <see cref="TimeSpan.Zero"/> disables it.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>A generation that makes no progress (no token) for this long counts as stuck: the watchdog stops.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromMinutes(5);
}
