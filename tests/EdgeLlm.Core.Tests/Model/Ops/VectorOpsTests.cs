using EdgeLlm.Core.Model;
using EdgeLlm.Core.Model.Ops;

namespace EdgeLlm.Core.Tests.Model.Ops;

/// <summary>
/// The 128-bit paths of the per-token float ops (arm64's, run here on x64's 128-bit vectors) against their scalar
/// definitions: RoPE bit for bit, RMSNorm, softmax and SwiGLU to float rounding of a different summation order or exponential.
/// </summary>
public class VectorOpsTests
{
    private static readonly int[] Lengths = [1, 3, 4, 5, 8, 31, 64, 67, 2048];

    private static float[] RandomRow(int n, Random rng, double range)
    {
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)((rng.NextDouble() * 2 - 1) * range);
        return x;
    }

    [Fact]
    public void RmsNorm_vector_matches_scalar_and_double_reference()
    {
        var rng = new Random(5);
        foreach (int n in Lengths)
        {
            float[] x = RandomRow(n, rng, 3), w = RandomRow(n, rng, 2);
            float[] vec = new float[n], scalar = new float[n];
            RmsNorm.Apply(x, w, 1e-5f, vec, vector: true);
            RmsNorm.Apply(x, w, 1e-5f, scalar, vector: false);
            double ms = x.Sum(v => (double)v * v) / n;
            double scale = 1 / Math.Sqrt(ms + 1e-5);
            for (int i = 0; i < n; i++)
            {
                Assert.True(Math.Abs(vec[i] - scalar[i]) <= 2e-7 * Math.Abs(scalar[i]) + 1e-30, $"n={n} [{i}]: {vec[i]} vs {scalar[i]}");
                Assert.True(Math.Abs(vec[i] - x[i] * scale * w[i]) <= 1e-6 * Math.Abs(x[i] * scale * w[i]) + 1e-30, $"n={n} [{i}] far from the double reference");
            }
        }
    }

    [Fact]
    public void RmsNorm_in_place_works_on_both_paths()
    {
        var rng = new Random(6);
        float[] x = RandomRow(64, rng, 1), w = RandomRow(64, rng, 1);
        float[] expected = new float[64];
        RmsNorm.Apply(x, w, 1e-6f, expected, vector: false);
        RmsNorm.Apply(x, w, 1e-6f, x, vector: true);
        for (int i = 0; i < 64; i++) Assert.Equal(expected[i], x[i], 1e-6f);
    }

    [Fact]
    public void Softmax_vector_matches_scalar()
    {
        var rng = new Random(7);
        foreach (int n in Lengths.Append(1401))
            foreach (double range in new[] { 0.1, 10, 80 })
            {
                float[] x = RandomRow(n, rng, range);
                float[] vec = (float[])x.Clone(), scalar = (float[])x.Clone();
                Softmax.InPlace(vec, vector: true);
                Softmax.InPlace(scalar, vector: false);
                double sum = 0;
                for (int i = 0; i < n; i++)
                {
                    Assert.True(Math.Abs(vec[i] - scalar[i]) <= 1e-6 * scalar[i] + 1e-37, $"n={n} range={range} [{i}]: {vec[i]} vs {scalar[i]}");
                    sum += vec[i];
                }
                Assert.Equal(1.0, sum, 1e-5);
            }
    }

    [Fact]
    public void Softmax_keeps_the_largest_score_largest_and_zeroes_minus_infinity()
    {
        float[] x = [1, 2, float.NegativeInfinity, 5, 0, -3, 4, 5.5f, -1];
        Softmax.InPlace(x, vector: true);
        Assert.Equal(7, Array.IndexOf(x, x.Max()));
        Assert.Equal(0f, x[2]);
    }

    [Fact]
    public void SwiGlu_vector_matches_scalar()
    {
        var rng = new Random(8);
        foreach (int n in Lengths)
            foreach (double range in new[] { 1, 20, 200 })
            {
                float[] g = RandomRow(n, rng, range), up = RandomRow(n, rng, 3);
                float[] vec = (float[])g.Clone(), scalar = (float[])g.Clone();
                SwiGlu.Apply(vec, up, vector: true);
                SwiGlu.Apply(scalar, up, vector: false);
                for (int i = 0; i < n; i++)
                    Assert.True(Math.Abs(vec[i] - scalar[i]) <= 1e-6 * Math.Abs(scalar[i]) + 1e-30, $"n={n} g={g[i]}: {vec[i]} vs {scalar[i]}");
            }
    }

    [Theory]
    [InlineData(RopeStyle.Normal, 64, 64)]
    [InlineData(RopeStyle.Neox, 64, 64)]
    [InlineData(RopeStyle.Normal, 128, 128)]
    [InlineData(RopeStyle.Neox, 128, 128)]
    [InlineData(RopeStyle.Neox, 24, 32)]   // partial rotary: the rest passes through
    [InlineData(RopeStyle.Normal, 6, 8)]   // not a whole vector: the scalar tail
    [InlineData(RopeStyle.Neox, 6, 8)]
    public void Rope_vector_and_scalar_give_the_published_rotation_bit_for_bit(RopeStyle style, int dims, int headDim)
    {
        var rng = new Random(9);
        float[] factors = Enumerable.Range(0, dims / 2).Select(_ => (float)(1 + rng.NextDouble() * 7)).ToArray();
        var rope = new Rope(new RopeSettings(style, dims, 500000f, 1f, factors));
        const int heads = 3;
        foreach (int pos in new[] { 0, 1, 17, 1399, 100000 })
        {
            float[] x = RandomRow(heads * headDim, rng, 2);
            var angles = new float[rope.AnglesLength];
            rope.Angles(pos, angles);
            float[] vec = (float[])x.Clone(), scalar = (float[])x.Clone();
            rope.Rotate(vec, heads, headDim, angles, vector: true);
            rope.Rotate(scalar, heads, headDim, angles, vector: false);
            Assert.Equal(Reference(x, style, dims, headDim, heads, pos, factors), scalar);
            Assert.Equal(scalar, vec);
        }
    }

    /// <summary>ggml's rope: pair i turns by pos·base^(−2i/dims)/factor[i] (a running float product), x0·c − x1·s and x0·s + x1·c.</summary>
    private static float[] Reference(float[] input, RopeStyle style, int dims, int headDim, int heads, int pos, float[] factors)
    {
        var x = (float[])input.Clone();
        float thetaScale = MathF.Pow(500000f, -2.0f / dims);
        for (int h = 0; h < heads; h++)
        {
            float theta = pos;
            for (int i = 0; i < dims / 2; i++)
            {
                float angle = theta / factors[i];
                float c = MathF.Cos(angle), s = MathF.Sin(angle);
                int a = h * headDim + (style == RopeStyle.Neox ? i : 2 * i), b = style == RopeStyle.Neox ? a + dims / 2 : a + 1;
                float x0 = x[a], x1 = x[b];
                x[a] = x0 * c - x1 * s;
                x[b] = x0 * s + x1 * c;
                theta *= thetaScale;
            }
        }
        return x;
    }
}
