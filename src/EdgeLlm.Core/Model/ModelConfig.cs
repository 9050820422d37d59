namespace EdgeLlm.Core.Model;

/// <summary>Which elements of a head rotate together.</summary>
public enum RopeStyle
{
    /// <summary>Adjacent pairs (2i, 2i+1): Llama, Mistral.</summary>
    Normal,

    /// <summary>Pairs (i, i + d/2), GPT-NeoX style: Qwen, Phi-3.</summary>
    Neox,
}

/// <summary>Rotary position embedding settings, as llama.cpp reads them.</summary>
/// <param name="Dimensions">Rotated dimensions of each head (the rest pass through).</param>
/// <param name="FreqBase">θ base: pair i turns by pos · base^(-2i/dims).</param>
/// <param name="FreqScale">Linear position interpolation (1 / rope.scaling.factor); 1 means none.</param>
/// <param name="FreqFactors">Per-pair divisors of the frequency (Llama 3's <c>rope_freqs.weight</c>), or null.</param>
public sealed record RopeSettings(RopeStyle Style, int Dimensions, float FreqBase, float FreqScale = 1f, float[]? FreqFactors = null);

/// <summary>
/// Hyperparameters of a decoder-only transformer, read and validated by its <see cref="Architectures.ModelArchitecture"/>
/// before any weight is touched. Everything that sizes buffers or changes the math is here, so the forward pass, the KV
/// cache and the memory guard never look at the file's metadata themselves.
/// </summary>
public sealed record ModelConfig(
    string Architecture,
    int VocabSize,
    int EmbeddingLength,
    int LayerCount,
    int HeadCount,
    int KvHeadCount,
    int HeadDim,
    int FeedForwardLength,
    int TrainedContextLength,
    RopeSettings Rope,
    float RmsEpsilon)
{
    /// <summary>Positions a query sees, the current one included (0: all of them). Phi-3's sliding window.</summary>
    public int SlidingWindow { get; init; }

    /// <summary>Width of all query heads together (the attention output projection's input).</summary>
    public int QueryDim => HeadCount * HeadDim;

    public int KvDim => KvHeadCount * HeadDim;

    /// <summary>Query heads sharing one key/value head (1 for MHA, HeadCount for MQA).</summary>
    public int GroupSize => HeadCount / KvHeadCount;

    public int RotaryDims => Rope.Dimensions;

    /// <summary>KV cache bytes one position costs across all layers.</summary>
    public long KvBytesPerToken(KvCacheType type) => 2L * LayerCount * KvDim * (type == KvCacheType.F16 ? 2 : 4);

    /// <summary>Float scratch a forward pass of <paramref name="batch"/> tokens holds (activations and logits), in bytes.</summary>
    public long ScratchBytes(int batch) =>
        4L * batch * (3L * EmbeddingLength + 2L * QueryDim + 2L * KvDim + 2L * FeedForwardLength + RotaryDims + VocabSize);
}
