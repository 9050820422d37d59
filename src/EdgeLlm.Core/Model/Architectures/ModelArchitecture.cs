using EdgeLlm.Core.Gguf;

namespace EdgeLlm.Core.Model.Architectures;

/// <summary>
/// One GGUF architecture (<c>general.architecture</c>): how its hyperparameters and tensors are named and which block
/// variant it uses. Everything else (kernels, KV cache, interleaved weights, attention) is shared: an architecture only
/// says where its numbers are. Adding one is a subclass in a file of its own, listed in <see cref="ModelArchitectures"/>,
/// plus its chat template.
/// </summary>
public abstract class ModelArchitecture
{
    /// <summary>The value of <c>general.architecture</c>.</summary>
    public abstract string Name { get; }

    /// <summary>Families this architecture serves, for messages and the README (e.g. "Llama 2/3.x, Mistral").</summary>
    public abstract string Families { get; }

    /// <summary>Reads and validates the hyperparameters.</summary>
    public abstract ModelConfig ReadConfig(ModelReader r);

    /// <summary>Loads block <paramref name="layer"/>.</summary>
    public abstract LayerWeights ReadLayer(ModelReader r, ModelConfig c, int layer);

    /// <summary>The shape keys every llama-like architecture shares, validated; the caller adds what is its own.</summary>
    protected static ModelConfig ReadCommon(ModelReader r, RopeStyle ropeStyle)
    {
        int embd = r.Int("embedding_length", 1, 1 << 16);
        int layers = r.Int("block_count", 1, 1024);
        int heads = r.Int("attention.head_count", 1, 1024);
        int kvHeads = r.Int("attention.head_count_kv", 1, 1024, heads);
        int ff = r.Int("feed_forward_length", 1, 1 << 20);
        int ctx = r.Int("context_length", 1, 1 << 24, 2048);
        if (heads % kvHeads != 0) throw new GgufException($"head count {heads} is not a multiple of the KV head count {kvHeads}");

        // Head size is its own key (Qwen3, Mistral Nemo): Q and the attention output are heads × key_length wide.
        int headDim;
        if (r.Has("attention.key_length"))
            headDim = r.Int("attention.key_length", 2, 1 << 16);
        else if (embd % heads == 0)
            headDim = embd / heads;
        else
            throw new GgufException($"embedding length {embd} is not divisible by the head count {heads}, and '{r.Architecture}.attention.key_length' is absent");
        if (r.Has("attention.value_length") && r.Int("attention.value_length", 1, 1 << 16) != headDim)
            throw new GgufException($"metadata '{r.Architecture}.attention.value_length' different from the key length {headDim} is not supported");

        int rotary = r.Int("rope.dimension_count", 2, headDim, headDim);
        if (rotary % 2 != 0 || headDim % 2 != 0) throw new GgufException($"rotary dimension {rotary} and head size {headDim} must be even");
        float ropeBase = r.PositiveFloat("rope.freq_base", 10000f);
        float eps = r.PositiveFloat("attention.layer_norm_rms_epsilon", 1e-5f);
        float freqScale = ReadRopeScaling(r);
        r.RequireAbsentOr("expert_count", 0, "a mixture of experts");
        r.RequireAbsentOr("expert_used_count", 0, "a mixture of experts");

        var embdTensor = r.File.GetTensor("token_embd.weight");
        if (embdTensor.Dimensions.Length != 2 || embdTensor.Dimensions[0] != embd)
            throw new GgufException($"token_embd.weight has shape {embdTensor.ShapeText}, expected [{embd}, vocab]");
        int vocab = checked((int)embdTensor.Dimensions[1]);
        if (r.Has("vocab_size") && r.Int("vocab_size", 1, int.MaxValue) != vocab)
            throw new GgufException($"metadata '{r.Architecture}.vocab_size' differs from token_embd.weight's {vocab} rows");

        return new ModelConfig(r.Architecture, vocab, embd, layers, heads, kvHeads, headDim, ff, ctx,
            new RopeSettings(ropeStyle, rotary, ropeBase, freqScale), eps);
    }

    /// <summary>
    /// <c>rope.scaling.*</c>: none, or linear (positions divided by the factor) as llama.cpp applies them. YaRN and
    /// LongRoPE change the angles and the attention magnitude in ways this engine does not compute: refused by name.
    /// </summary>
    private static float ReadRopeScaling(ModelReader r)
    {
        string type = r.String("rope.scaling.type") ?? "none";
        float factor = r.Has("rope.scaling.factor") ? r.PositiveFloat("rope.scaling.factor", 1f) : 1f;
        // Used by llama.cpp for YaRN only, and informational for linear scaling.
        r.Acknowledge("rope.scaling.original_context_length", "rope.scaling.finetuned");
        switch (type)
        {
            case "none":
                return 1f;
            case "linear":
                return 1f / factor;
            default:
                throw new GgufException($"metadata '{r.Architecture}.rope.scaling.type' = '{type}' is not supported (EdgeLlm implements 'none' and 'linear')");
        }
    }

    /// <summary>attn_norm, Q/K/V/O, ffn_norm, gate/up/down: the Llama block's tensors.</summary>
    protected static LayerWeights ReadLlamaBlock(ModelReader r, ModelConfig c, int layer)
    {
        string p = $"blk.{layer}.";
        return new LayerWeights
        {
            AttentionNorm = r.Vector(p + "attn_norm.weight", c.EmbeddingLength),
            Query = r.Matrix(p + "attn_q.weight", c.EmbeddingLength, c.QueryDim),
            Key = r.Matrix(p + "attn_k.weight", c.EmbeddingLength, c.KvDim),
            Value = r.Matrix(p + "attn_v.weight", c.EmbeddingLength, c.KvDim),
            Output = r.Matrix(p + "attn_output.weight", c.QueryDim, c.EmbeddingLength),
            FeedForwardNorm = r.Vector(p + "ffn_norm.weight", c.EmbeddingLength),
            Gate = r.Matrix(p + "ffn_gate.weight", c.EmbeddingLength, c.FeedForwardLength),
            Up = r.Matrix(p + "ffn_up.weight", c.EmbeddingLength, c.FeedForwardLength),
            Down = r.Matrix(p + "ffn_down.weight", c.FeedForwardLength, c.EmbeddingLength),
        };
    }
}
