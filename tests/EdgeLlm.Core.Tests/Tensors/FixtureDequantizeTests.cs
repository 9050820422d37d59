using EdgeLlm.Core.Gguf;
using EdgeLlm.Core.Tensors;

namespace EdgeLlm.Core.Tests.Tensors;

/// <summary>
/// The quantized fixtures were made from the same weights as the F16 ones, so dequantizing a tensor must give back the F16
/// values up to quantization noise. A wrong byte layout (nibble order, scale packing) gives errors near or above 100%.
/// </summary>
public class FixtureDequantizeTests
{
    [Theory]
    [InlineData("tiny-q8_0.gguf", "tiny-f16.gguf", GgmlType.Q8_0, 0.01)]
    [InlineData("tiny-q4_0.gguf", "tiny-f16.gguf", GgmlType.Q4_0, 0.15)]
    [InlineData("tiny-q4_0.gguf", "tiny-f16.gguf", GgmlType.Q6_K, 0.05)]
    [InlineData("tiny-q4_k_m.gguf", "tiny-f16.gguf", GgmlType.Q4_K, 0.12)]
    [InlineData("tiny-q4_k_m.gguf", "tiny-f16.gguf", GgmlType.Q6_K, 0.05)]
    [InlineData("tinystories-656k-q8_0.gguf", "TinyStories-656K.f16.gguf", GgmlType.Q8_0, 0.01)]
    public void Quantized_tensors_dequantize_close_to_the_f16_original(string quantized, string original, GgmlType type, double maxRelativeRms)
    {
        using var q = GgufFile.Open(Fixtures.Model(quantized));
        using var f = GgufFile.Open(Fixtures.Model(original));
        int compared = 0;
        foreach (var tq in q.Tensors.Where(t => t.Type == type))
        {
            var tf = f.FindTensor(tq.Name);
            if (tf is null || tf.Type is not (GgmlType.F16 or GgmlType.F32)) continue;
            int n = (int)tq.RowLength;
            var a = new float[n];
            var b = new float[n];
            double err = 0, norm = 0;
            for (long row = 0; row < Math.Min(tq.RowCount, 64); row++)
            {
                Quants.DequantizeRow(type, q.TensorRow(tq, row), a);
                Quants.DequantizeRow(tf.Type, f.TensorRow(tf, row), b);
                for (int i = 0; i < n; i++)
                {
                    err += (double)(a[i] - b[i]) * (a[i] - b[i]);
                    norm += (double)b[i] * b[i];
                }
            }
            double rel = Math.Sqrt(err / norm);
            Assert.True(rel < maxRelativeRms, $"{tq.Name} ({type}): relative RMS error {rel:P2} vs {original}");
            compared++;
        }
        Assert.True(compared > 0, $"no {type} tensor of {quantized} has an F16/F32 counterpart in {original}");
    }
}
