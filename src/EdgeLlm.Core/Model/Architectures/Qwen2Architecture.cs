namespace EdgeLlm.Core.Model.Architectures;

/// <summary><c>qwen2</c>: Qwen2 and Qwen2.5. The Llama block with biases on Q, K and V, and NeoX-style RoPE pairs.</summary>
public sealed class Qwen2Architecture : ModelArchitecture
{
    public override string Name => "qwen2";
    public override string Families => "Qwen2, Qwen2.5";

    public override ModelConfig ReadConfig(ModelReader r) => ReadCommon(r, RopeStyle.Neox);

    public override LayerWeights ReadLayer(ModelReader r, ModelConfig c, int layer)
    {
        string p = $"blk.{layer}.";
        return ReadLlamaBlock(r, c, layer) with
        {
            QueryBias = r.Vector(p + "attn_q.bias", c.QueryDim),
            KeyBias = r.Vector(p + "attn_k.bias", c.KvDim),
            ValueBias = r.Vector(p + "attn_v.bias", c.KvDim),
        };
    }
}
