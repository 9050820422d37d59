using EdgeLlm.Core.Sampling;

namespace EdgeLlm.Core.Generation;

/// <summary>What to generate after the prompt.</summary>
public sealed record GenerationSettings
{
    public SamplingOptions Sampling { get; init; } = new();

    /// <summary>Most tokens to generate; generation also ends at the end of the context.</summary>
    public int MaxTokens { get; init; } = 256;

    /// <summary>Text that ends the answer when generated; it is not part of the answer.</summary>
    public IReadOnlyList<string> StopStrings { get; init; } = [];

    /// <summary>Drop <c>&lt;think&gt;…&lt;/think&gt;</c> from the answer (a thinking model asked not to think).</summary>
    public bool HideThinking { get; init; }
    /// <summary>A grammar the answer must match (GBNF, JSON Schema or any JSON), possibly lazy; null for free text.</summary>
    public Sampling.Grammar.OutputConstraint? Constraint { get; init; }

    /// <summary>False: the prompt is computed from its first token and not kept in the prompt cache (request field <c>cache_prompt</c>).</summary>
    public bool CachePrompt { get; init; } = true;
}
