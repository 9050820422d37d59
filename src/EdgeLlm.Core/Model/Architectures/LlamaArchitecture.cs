using EdgeLlm.Core.Gguf;

namespace EdgeLlm.Core.Model.Architectures;

/// <summary>
/// <c>llama</c>: Llama 1/2/3.x, Mistral, TinyLlama, SmolLM. Adjacent-pair RoPE; Llama 3.1+ files carry
/// <c>rope_freqs.weight</c>, one divisor per rotary pair that stretches the low frequencies (llama3 scaling).
/// </summary>
public sealed class LlamaArchitecture : ModelArchitecture
{
    public override string Name => "llama";
    public override string Families => "Llama 1/2/3.x, Mistral, TinyLlama, SmolLM";

    public override ModelConfig ReadConfig(ModelReader r)
    {
        var c = ReadCommon(r, RopeStyle.Normal);
        if (!r.HasTensor("rope_freqs.weight")) return c;
        float[] factors = r.Vector("rope_freqs.weight", c.RotaryDims / 2);
        foreach (float f in factors)
            if (!(f > 0)) throw new GgufException($"tensor 'rope_freqs.weight' holds {f}: frequency factors must be positive");
        return c with { Rope = c.Rope with { FreqFactors = factors } };
    }

    public override LayerWeights ReadLayer(ModelReader r, ModelConfig c, int layer) => ReadLlamaBlock(r, c, layer);
}
