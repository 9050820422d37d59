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
        var c = Core.Model.Architectures.ModelArchitectures.ReadConfig(file);
        // Activation rows of one batch, as the model allocates them, plus the runtime.
        long scratch = c.ScratchBytes(Batch) + (32L << 20);
        return new ModelFootprint(file.FileLength, c.KvBytesPerToken(kvType), c.TrainedContextLength, scratch);
    }
}
