using EdgeLlm.Core.Model.Ops;
using EdgeLlm.Core.Tensors;
using EdgeLlm.Core.Tensors.Generic;

namespace EdgeLlm.Core.Tests.Tensors.Generic;

/// <summary>
/// arm64's heads-in-lanes attention kernels (run here through the portable NEON helpers): key dots within float rounding of
/// the per-head kernel, value sums bit for bit those of the rows-in-lanes grouped kernel, and the in-lanes softmax within
/// one F16 step of the per-head one; spare lanes never leak into real ones.
/// </summary>
public unsafe class HalfRowsGroupLanes128Tests
{
    private static ushort[] Halves(int count, Random rng) => HalfRows128Tests.Halves(count, rng);

    [Theory]
    [InlineData(16, 2, 1)]
    [InlineData(64, 8, 37)]   // TinyLlama's heads: four-row blocks and a leftover
    [InlineData(64, 3, 4)]
    [InlineData(32, 5, 9)]
    [InlineData(128, 4, 19)]
    [InlineData(80, 6, 2)]
    public void KeyDots_are_the_per_head_dots_within_float_rounding(int n, int groups, int rows)
    {
        var rng = new Random(n * 7 + groups * 3 + rows);
        const int stride = 300;
        ushort[] keys = Halves(stride * rows, rng);
        float[] queries = Halves(groups * n, rng).Select(Fp16.ToSingle).ToArray();
        float[] scaled = queries.Select(q => q * Fp16.TwoPow112).ToArray();
        int lanes = HalfRowsGroupLanes128.Lanes(groups);
        var transposed = new float[lanes * n];
        var scores = new float[rows * lanes + 1];
        scores[^1] = 12345f;
        fixed (ushort* k = keys)
        fixed (float* q = scaled)
        fixed (float* t = transposed)
        fixed (float* s = scores)
        {
            HalfRowsGroupLanes128.TransposeQueries(q, n, groups, n, t);
            HalfRowsGroupLanes128.KeyDots(k, stride, rows, t, lanes, n, s);
        }
        Assert.Equal(12345f, scores[^1]);
        for (int g = 0; g < lanes; g++)
        {
            var expected = new float[rows];
            if (g < groups)
                fixed (ushort* k = keys)
                fixed (float* q = &queries[g * n])
                fixed (float* e = expected)
                    HalfRows128.KeyDots(k, stride, rows, q, n, e);
            for (int r = 0; r < rows; r++)
            {
                double magnitude = 0;
                for (int i = 0; g < groups && i < n; i++) magnitude += Math.Abs((double)Fp16.ToSingle(keys[r * stride + i]) * queries[g * n + i]);
                float actual = scores[r * lanes + g];
                Assert.True(Math.Abs(actual - expected[r]) <= n * Math.Pow(2, -23) * magnitude,
                    $"head {g} row {r}: {actual:R}, per head {expected[r]:R}");
            }
        }
    }

    [Theory]
    [InlineData(16, 2, 1)]
    [InlineData(64, 8, 37)]
    [InlineData(64, 4, 16)]
    [InlineData(96, 3, 5)]
    [InlineData(32, 7, 33)]
    public void AccumulateValues_give_the_bits_of_the_rows_in_lanes_kernel(int n, int groups, int rows)
    {
        var rng = new Random(n * 13 + rows);
        const int stride = 260;
        ushort[] values = Halves(stride * rows, rng);
        int lanes = HalfRowsGroupLanes128.Lanes(groups);
        // Probabilities per head (rows in a row, as the rows-in-lanes kernel takes them) and the same in lanes.
        var perHead = new float[groups * rows];
        for (int i = 0; i < perHead.Length; i++) perHead[i] = (float)Math.Pow(rng.NextDouble(), 8);
        Fp16.RoundToHalfPrecision(perHead, vector: false);
        for (int i = 0; i < perHead.Length; i++) perHead[i] *= Fp16.TwoPow112;
        var inLanes = new float[rows * lanes];
        for (int g = 0; g < lanes; g++)
            for (int r = 0; r < rows; r++)
                inLanes[r * lanes + g] = g < groups ? perHead[g * rows + r] : 0.5f * Fp16.TwoPow112; // spare lanes: anything
        var expected = new float[groups * n];
        var actual = new float[lanes * n];
        var scratch = new float[HalfRowsGrouped128.ScratchFloats(n)];
        fixed (ushort* v = values)
        fixed (float* p = perHead)
        fixed (float* l = inLanes)
        fixed (float* e = expected)
        fixed (float* a = actual)
        fixed (float* w = scratch)
        {
            HalfRowsGrouped128.AccumulateValues(v, stride, rows, p, rows, groups, e, n, n, w);
            HalfRowsGroupLanes128.AccumulateValues(v, stride, rows, l, lanes, n, a);
        }
        for (int i = 0; i < expected.Length; i++)
            Assert.True(BitConverter.SingleToUInt32Bits(expected[i]) == BitConverter.SingleToUInt32Bits(actual[i]),
                $"head {i / n} [{i % n}]: {actual[i]:R}, rows in lanes {expected[i]:R}");
        Assert.NotEqual(0f, actual[0]);
    }

    [Theory]
    [InlineData(1, 4)]
    [InlineData(3, 8)]
    [InlineData(37, 8)]
    [InlineData(200, 4)]
    public void Softmax_in_lanes_is_each_heads_softmax_within_one_F16_step(int rows, int lanes)
    {
        var rng = new Random(rows * 5 + lanes);
        const float scale = 0.125f;
        var inLanes = new float[rows * lanes];
        for (int i = 0; i < inLanes.Length; i++) inLanes[i] = (float)((rng.NextDouble() * 2 - 1) * 40);
        float[] original = (float[])inLanes.Clone();
        fixed (float* x = inLanes) Softmax.ToHalfProbabilitiesScaledUpInLanes(x, rows, lanes, scale);
        for (int g = 0; g < lanes; g++)
        {
            float[] head = Enumerable.Range(0, rows).Select(r => original[r * lanes + g]).ToArray();
            Softmax.ToHalfProbabilitiesScaledUp(head, scale);
            double sum = 0;
            for (int r = 0; r < rows; r++)
            {
                float actual = inLanes[r * lanes + g];
                sum += actual / Fp16.TwoPow112;
                Assert.True(Math.Abs(actual - head[r]) <= Math.Abs(head[r]) * Math.Pow(2, -10) + Fp16.TwoPow112 * Math.Pow(2, -24),
                    $"head {g} row {r}: {actual / Fp16.TwoPow112:R}, per head {head[r] / Fp16.TwoPow112:R}");
            }
            Assert.InRange(sum, 1 - rows * Math.Pow(2, -11) - 1e-6, 1 + rows * Math.Pow(2, -11) + 1e-6);
        }
    }
}
