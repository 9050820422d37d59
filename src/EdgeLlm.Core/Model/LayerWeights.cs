namespace EdgeLlm.Core.Model;

/// <summary>The tensors of one transformer block. The optional ones are what tells the block variants apart.</summary>
public sealed record LayerWeights
{
    public required float[] AttentionNorm { get; init; }
    public required WeightMatrix Query { get; init; }
    public required WeightMatrix Key { get; init; }
    public required WeightMatrix Value { get; init; }
    public required WeightMatrix Output { get; init; }
    public required float[] FeedForwardNorm { get; init; }
    public required WeightMatrix Gate { get; init; }
    public required WeightMatrix Up { get; init; }
    public required WeightMatrix Down { get; init; }

    /// <summary>Biases added after the Q/K/V projections (Qwen2), or null.</summary>
    public float[]? QueryBias { get; init; }
    public float[]? KeyBias { get; init; }
    public float[]? ValueBias { get; init; }

    /// <summary>Per-head RMSNorm weights (head size) applied to Q and K before RoPE (Qwen3), or null.</summary>
    public float[]? QueryNorm { get; init; }
    public float[]? KeyNorm { get; init; }

    /// <summary>The seven matrices, in file order.</summary>
    public IEnumerable<WeightMatrix> Matrices => [Query, Key, Value, Output, Gate, Up, Down];
}
