using EdgeLlm.Core.Gguf;

namespace EdgeLlm.Core.Model;

/// <summary>Hyperparameters of a GGUF model of architecture <c>llama</c>, validated before any weight is touched.</summary>
public sealed record LlamaConfig(
    int VocabSize,
    int EmbeddingLength,
    int LayerCount,
    int HeadCount,
    int KvHeadCount,
    int FeedForwardLength,
    int TrainedContextLength,
    int RotaryDims,
    float RopeFreqBase,
    float RmsEpsilon)
{
    public int HeadDim => EmbeddingLength / HeadCount;
    public int KvDim => KvHeadCount * HeadDim;

    /// <summary>Query heads sharing one key/value head (1 for MHA, HeadCount for MQA).</summary>
    public int GroupSize => HeadCount / KvHeadCount;

    public static LlamaConfig FromGguf(GgufFile file)
    {
        string arch = file.GetStringOrNull("general.architecture") ?? throw new GgufException("metadata 'general.architecture' is missing");
        if (arch != "llama")
            throw new GgufException($"unsupported model architecture '{arch}': EdgeLlm runs 'llama' (Llama, Alpaca, Mistral, TinyLlama, SmolLM)");

        int Int(string key, int min, int max, int? fallback = null)
        {
            string full = $"llama.{key}";
            if (!file.Contains(full) && fallback is int f) return f;
            long v = file.GetInt64(full);
            if (v < min || v > max) throw new GgufException($"metadata '{full}' = {v} is outside the supported range {min}..{max}");
            return (int)v;
        }

        int embd = Int("embedding_length", 1, 1 << 16);
        int layers = Int("block_count", 1, 1024);
        int heads = Int("attention.head_count", 1, 1024);
        int kvHeads = Int("attention.head_count_kv", 1, 1024, heads);
        int ff = Int("feed_forward_length", 1, 1 << 20);
        int ctx = Int("context_length", 1, 1 << 24, 2048);
        if (embd % heads != 0) throw new GgufException($"embedding length {embd} is not divisible by the head count {heads}");
        if (heads % kvHeads != 0) throw new GgufException($"head count {heads} is not a multiple of the KV head count {kvHeads}");
        int headDim = embd / heads;
        if (file.Contains("llama.attention.key_length") && Int("attention.key_length", 1, 1 << 16) != headDim)
            throw new GgufException("attention.key_length different from embedding_length / head_count is not supported");
        int rotary = Int("rope.dimension_count", 2, headDim, headDim);
        if (rotary % 2 != 0 || headDim % 2 != 0) throw new GgufException($"rotary dimension {rotary} and head size {headDim} must be even");

        float ropeBase = file.GetFloat32("llama.rope.freq_base", 10000f);
        float eps = file.GetFloat32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
        if (!(ropeBase > 0) || !float.IsFinite(ropeBase)) throw new GgufException($"rope.freq_base {ropeBase} is invalid");
        if (!(eps > 0) || !float.IsFinite(eps)) throw new GgufException($"layer_norm_rms_epsilon {eps} is invalid");
        if (file.Find("llama.rope.scaling.type")?.AsString() is { } scaling && scaling != "none")
            throw new GgufException($"rope scaling '{scaling}' is not supported");

        var embdTensor = file.GetTensor("token_embd.weight");
        if (embdTensor.Dimensions.Length != 2 || embdTensor.Dimensions[0] != embd)
            throw new GgufException($"token_embd.weight has shape {embdTensor.ShapeText}, expected [{embd}, vocab]");
        int vocab = checked((int)embdTensor.Dimensions[1]);

        return new LlamaConfig(vocab, embd, layers, heads, kvHeads, ff, ctx, rotary, ropeBase, eps);
    }
}
