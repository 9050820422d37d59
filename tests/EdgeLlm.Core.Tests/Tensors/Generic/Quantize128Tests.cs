using EdgeLlm.Core.Tensors;
using EdgeLlm.Core.Tensors.Generic;

namespace EdgeLlm.Core.Tests.Tensors.Generic;

/// <summary>arm64's activation quantizers, run here on x64's 128-bit vectors: byte for byte the scalar definition.</summary>
public class Quantize128Tests
{
    [Theory]
    [InlineData(GgmlType.Q8_0)]
    [InlineData(GgmlType.Q8_K)]
    public void Bit_identical_to_scalar(GgmlType type)
    {
        Assert.True(Quantize128.IsSupported);
        var rng = new Random(77);
        int bs = GgmlTypeInfo.BlockSize(type);
        foreach (int blocks in new[] { 1, 3, 8 })
            foreach (var x in Rows(bs * blocks, bs, rng))
            {
                var fast = new byte[GgmlTypeInfo.RowBytes(type, x.Length)];
                var slow = new byte[fast.Length];
                fast.AsSpan().Fill(0xAB); // every byte must be written
                if (type == GgmlType.Q8_0) Quantize128.Q8_0(x, fast);
                else Quantize128.Q8_K(x, fast);
                Quants.QuantizeRowScalar(type, x, slow);
                Assert.Equal(slow, fast);
            }
    }

    [Fact]
    public void Q8_K_scale_sign_comes_from_the_first_largest_element()
    {
        var x = new float[256];
        x[5] = -2f; x[130] = 2f; x[9] = 1f;
        var q = new byte[GgmlTypeInfo.RowBytes(GgmlType.Q8_K, 256)];
        Quantize128.Q8_K(x, q);
        Assert.Equal(2f / 127f, BitConverter.ToSingle(q), 1e-9f);
        Assert.Equal(-127, (sbyte)q[4 + 5]);
        Assert.Equal(127, (sbyte)q[4 + 130]);
    }

    /// <summary>Random rows, rows full of exact ties, all-zero rows and rows whose largest element is negative and repeated.</summary>
    private static IEnumerable<float[]> Rows(int n, int block, Random rng)
    {
        yield return RandomBlocks.Floats(n, rng);
        yield return RandomBlocks.TieFloats(n, block, rng);
        yield return new float[n];
        var x = RandomBlocks.Floats(n, rng);
        for (int b = 0; b < n; b += block)
        {
            x[b + rng.Next(block)] = -1000f;
            x[b + rng.Next(block)] = 1000f;
        }
        yield return x;
        var big = new float[n];
        for (int i = 0; i < n; i++) big[i] = (float)((rng.NextDouble() - 0.5) * 1e6);
        yield return big;
    }
}
