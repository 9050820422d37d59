using EdgeLlm.Core.Gguf;
using EdgeLlm.Core.Model;

namespace EdgeLlm.Guards;

/// <summary>What a model will cost in memory, read from its header before any weight is touched.</summary>
public sealed record ModelFootprint(long FileBytes, long KvBytesPerToken, int TrainedContext, long ScratchBytes)
{
    /// <summary>Prompt batch the engine processes at once (bounds the scratch buffers).</summary>
    private const int Batch = 32;

    public static ModelFootprint Of(string path, KvCacheType kvType)
    {
        using var file = GgufFile.Open(path);
        var c = LlamaConfig.FromGguf(file);
        long kvPerToken = 2L * c.LayerCount * c.KvDim * (kvType == KvCacheType.F16 ? 2 : 4);
        // Activation rows of one batch (residual, norms, q/k/v, attention, projections, FFN, logits) plus the runtime.
        long scratch = 4L * Batch * (6L * c.EmbeddingLength + 2L * c.KvDim + 2L * c.FeedForwardLength + c.VocabSize) + (32L << 20);
        return new ModelFootprint(file.FileLength, kvPerToken, c.TrainedContextLength, scratch);
    }
}
