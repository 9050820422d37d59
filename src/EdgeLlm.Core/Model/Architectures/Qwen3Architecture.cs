namespace EdgeLlm.Core.Model.Architectures;

/// <summary>
/// <c>qwen3</c>: Qwen3 (dense). No biases; each Q and K head is RMS-normalised with its own learned weight before
/// RoPE; the head size (<c>attention.key_length</c>) need not be embedding_length / head_count.
/// </summary>
public sealed class Qwen3Architecture : ModelArchitecture
{
    public override string Name => "qwen3";
    public override string Families => "Qwen3";

    public override ModelConfig ReadConfig(ModelReader r) => ReadCommon(r, RopeStyle.Neox);

    public override LayerWeights ReadLayer(ModelReader r, ModelConfig c, int layer)
    {
        string p = $"blk.{layer}.";
        return ReadLlamaBlock(r, c, layer) with
        {
            QueryNorm = r.Vector(p + "attn_q_norm.weight", c.HeadDim),
            KeyNorm = r.Vector(p + "attn_k_norm.weight", c.HeadDim),
        };
    }
}
