using EdgeLlm.Core.Gguf;
using EdgeLlm.Core.Tensors;

namespace EdgeLlm.Core.Model;

/// <summary>All weights of a transformer model, as views into the mapped file (norm vectors are copied: they are tiny).</summary>
public sealed class ModelWeights
{
    private ModelWeights(WeightMatrix tokenEmbedding, float[] outputNorm, WeightMatrix output, bool tied, LayerWeights[] layers)
    {
        TokenEmbedding = tokenEmbedding;
        OutputNorm = outputNorm;
        Output = output;
        TiedOutput = tied;
        Layers = layers;
    }

    public WeightMatrix TokenEmbedding { get; }
    public float[] OutputNorm { get; }

    /// <summary>The vocabulary projection; the token embedding itself when the file has no output.weight.</summary>
    public WeightMatrix Output { get; }
    public bool TiedOutput { get; }
    public IReadOnlyList<LayerWeights> Layers { get; }

    /// <summary>Token embedding, output norm and projection around already loaded blocks.</summary>
    internal static ModelWeights Read(Architectures.ModelReader r, ModelConfig c, LayerWeights[] layers)
    {
        var embedding = r.Matrix("token_embd.weight", c.EmbeddingLength, c.VocabSize);
        bool tied = !r.HasTensor("output.weight");
        var output = tied ? embedding : r.Matrix("output.weight", c.EmbeddingLength, c.VocabSize);
        return new ModelWeights(embedding, r.Vector("output_norm.weight", c.EmbeddingLength), output, tied, layers);
    }

    /// <summary>Every matrix a forward pass multiplies by (the layers', then the output projection).</summary>
    public IEnumerable<WeightMatrix> Matrices => Layers.SelectMany(l => l.Matrices).Append(Output);

    /// <summary>The same weights with each matrix passed through <paramref name="map"/> (to attach interleaved copies).</summary>
    public ModelWeights With(Func<WeightMatrix, WeightMatrix> map) =>
        new(TiedOutput ? map(TokenEmbedding) : TokenEmbedding, OutputNorm, map(Output), TiedOutput,
            Layers.Select(l => l with
            {
                Query = map(l.Query), Key = map(l.Key), Value = map(l.Value), Output = map(l.Output),
                Gate = map(l.Gate), Up = map(l.Up), Down = map(l.Down),
            }).ToArray());

    /// <summary>Bytes of weight data a single-token forward pass reads (every matrix once).</summary>
    public long BytesPerToken
    {
        get
        {
            long total = 0;
            foreach (var m in Matrices) total += (long)m.Rows * m.RowBytes;
            return total;
        }
    }
}
