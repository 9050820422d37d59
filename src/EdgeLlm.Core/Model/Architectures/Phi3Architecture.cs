using EdgeLlm.Core.Gguf;

namespace EdgeLlm.Core.Model.Architectures;

/// <summary>
/// <c>phi3</c>: Phi-3 and Phi-3.5 mini. NeoX RoPE; Q, K and V in one fused matrix (<c>attn_qkv</c>, Q rows first) and
/// gate and up in one (<c>ffn_up</c>, 2·n_ff rows, gate half first), both used as row views so the kernels and the
/// interleaved cache see ordinary matrices; a sliding attention window.
/// </summary>
/// <remarks>
/// The 128k-context variants scale RoPE with LongRoPE (<c>rope_factors_long/short</c> and an attention factor): not
/// implemented, so refused by name rather than run with the wrong angles.
/// </remarks>
public sealed class Phi3Architecture : ModelArchitecture
{
    public override string Name => "phi3";
    public override string Families => "Phi-3, Phi-3.5 mini";

    public override ModelConfig ReadConfig(ModelReader r)
    {
        foreach (var name in new[] { "rope_factors_long.weight", "rope_factors_short.weight" })
            if (r.HasTensor(name))
                throw new GgufException($"tensor '{name}': Phi-3 LongRoPE (the 128k-context variants) is not supported; use a 4k-context Phi-3 file");
        if (r.Has("rope.scaling.attn_factor"))
            throw new GgufException($"metadata 'phi3.rope.scaling.attn_factor': Phi-3 LongRoPE (the 128k-context variants) is not supported");
        var c = ReadCommon(r, RopeStyle.Neox);
        return c with { SlidingWindow = r.Int("attention.sliding_window", 0, int.MaxValue, 0) };
    }

    public override LayerWeights ReadLayer(ModelReader r, ModelConfig c, int layer)
    {
        string p = $"blk.{layer}.";
        var (query, key, value) = r.HasTensor(p + "attn_qkv.weight")
            ? SplitQkv(r.Matrix(p + "attn_qkv.weight", c.EmbeddingLength, c.QueryDim + 2 * c.KvDim), c)
            : (r.Matrix(p + "attn_q.weight", c.EmbeddingLength, c.QueryDim),
               r.Matrix(p + "attn_k.weight", c.EmbeddingLength, c.KvDim),
               r.Matrix(p + "attn_v.weight", c.EmbeddingLength, c.KvDim));
        var gateUp = r.Matrix(p + "ffn_up.weight", c.EmbeddingLength, 2 * c.FeedForwardLength);
        return new LayerWeights
        {
            AttentionNorm = r.Vector(p + "attn_norm.weight", c.EmbeddingLength),
            Query = query,
            Key = key,
            Value = value,
            Output = r.Matrix(p + "attn_output.weight", c.QueryDim, c.EmbeddingLength),
            FeedForwardNorm = r.Vector(p + "ffn_norm.weight", c.EmbeddingLength),
            Gate = gateUp.Slice(0, c.FeedForwardLength),
            Up = gateUp.Slice(c.FeedForwardLength, c.FeedForwardLength),
            Down = r.Matrix(p + "ffn_down.weight", c.FeedForwardLength, c.EmbeddingLength),
        };
    }

    private static (WeightMatrix, WeightMatrix, WeightMatrix) SplitQkv(WeightMatrix qkv, ModelConfig c) =>
        (qkv.Slice(0, c.QueryDim), qkv.Slice(c.QueryDim, c.KvDim), qkv.Slice(c.QueryDim + c.KvDim, c.KvDim));
}
