using EdgeLlm.Core.Gguf;
using EdgeLlm.Core.Tensors;

namespace EdgeLlm.Core.Model;

/// <summary>All weights of a llama model, as views into the mapped file (norm vectors are copied: they are tiny).</summary>
public sealed class LlamaWeights
{
    private LlamaWeights(WeightMatrix tokenEmbedding, float[] outputNorm, WeightMatrix output, bool tied, LayerWeights[] layers)
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

    public static LlamaWeights Load(GgufFile file, LlamaConfig c)
    {
        var embedding = WeightMatrix.Load(file, "token_embd.weight", c.EmbeddingLength, c.VocabSize);
        bool tied = file.FindTensor("output.weight") is null;
        var output = tied ? embedding : WeightMatrix.Load(file, "output.weight", c.EmbeddingLength, c.VocabSize);
        var layers = new LayerWeights[c.LayerCount];
        for (int i = 0; i < layers.Length; i++)
        {
            string p = $"blk.{i}.";
            layers[i] = new LayerWeights
            {
                AttentionNorm = LoadVector(file, p + "attn_norm.weight", c.EmbeddingLength),
                Query = WeightMatrix.Load(file, p + "attn_q.weight", c.EmbeddingLength, c.EmbeddingLength),
                Key = WeightMatrix.Load(file, p + "attn_k.weight", c.EmbeddingLength, c.KvDim),
                Value = WeightMatrix.Load(file, p + "attn_v.weight", c.EmbeddingLength, c.KvDim),
                Output = WeightMatrix.Load(file, p + "attn_output.weight", c.EmbeddingLength, c.EmbeddingLength),
                FeedForwardNorm = LoadVector(file, p + "ffn_norm.weight", c.EmbeddingLength),
                Gate = WeightMatrix.Load(file, p + "ffn_gate.weight", c.EmbeddingLength, c.FeedForwardLength),
                Up = WeightMatrix.Load(file, p + "ffn_up.weight", c.EmbeddingLength, c.FeedForwardLength),
                Down = WeightMatrix.Load(file, p + "ffn_down.weight", c.FeedForwardLength, c.EmbeddingLength),
            };
        }
        return new LlamaWeights(embedding, LoadVector(file, "output_norm.weight", c.EmbeddingLength), output, tied, layers);
    }

    /// <summary>Every matrix a forward pass multiplies by (the layers', then the output projection).</summary>
    public IEnumerable<WeightMatrix> Matrices => Layers.SelectMany(l => l.Matrices).Append(Output);

    /// <summary>The same weights with each matrix passed through <paramref name="map"/> (to attach interleaved copies).</summary>
    public LlamaWeights With(Func<WeightMatrix, WeightMatrix> map) =>
        new(TiedOutput ? map(TokenEmbedding) : TokenEmbedding, OutputNorm, map(Output), TiedOutput,
            Layers.Select(l => l with
            {
                Query = map(l.Query), Key = map(l.Key), Value = map(l.Value), Output = map(l.Output),
                Gate = map(l.Gate), Up = map(l.Up), Down = map(l.Down),
            }).ToArray());

    /// <summary>Reads a 1-D tensor of any float or quantized type into a float array.</summary>
    private static float[] LoadVector(GgufFile file, string name, int length)
    {
        var t = file.GetTensor(name);
        if (t.ElementCount != length)
            throw new GgufException($"tensor '{name}' has shape {t.ShapeText}, expected [{length}]");
        var result = new float[length];
        Quants.DequantizeRow(t.Type, file.TensorBytes(t), result);
        return result;
    }

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
