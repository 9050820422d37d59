using EdgeLlm.Core.Model;
using EdgeLlm.Core.Tensors;
using EdgeLlm.Core.Tensors.Generic;

namespace EdgeLlm.Core.Tests.Tensors.Generic;

/// <summary>
/// arm64's grouped attention kernels (run here through the portable NEON helpers) against the per-head kernels they
/// replace, for every query of the group, with queries and probabilities passed scaled up by 2¹¹²: the key dots bit for bit,
/// the value sums (fused there, unfused per head) within a rounding per row.
/// </summary>
public unsafe class HalfRowsGrouped128Tests
{
    private static ushort[] Halves(int count, Random rng) => HalfRows128Tests.Halves(count, rng);

    [Theory]
    [InlineData(16, 1, 1)]
    [InlineData(64, 8, 37)]
    [InlineData(64, 3, 4)]
    [InlineData(80, 2, 7)]
    [InlineData(128, 6, 19)]
    public void KeyDots_give_the_bits_of_the_per_head_kernel(int n, int groups, int rows)
    {
        var rng = new Random(n * 31 + groups);
        const int stride = 300;
        ushort[] keys = Halves(stride * rows, rng);
        // Queries as attention rounds them (every F16 value, subnormals too), and the same times 2¹¹² for the grouped kernel.
        float[] queries = Halves(groups * n, rng).Select(Fp16.ToSingle).ToArray();
        float[] scaled = queries.Select(q => q * Fp16.TwoPow112).ToArray();
        const int scoreStride = 41;
        var grouped = new float[groups * scoreStride];
        var scratch = new float[HalfRowsGrouped128.ScratchFloats(n)];
        fixed (ushort* k = keys)
        fixed (float* q = scaled)
        fixed (float* s = grouped)
        fixed (float* w = scratch)
            HalfRowsGrouped128.KeyDots(k, stride, rows, q, n, groups, n, s, scoreStride, w);
        for (int g = 0; g < groups; g++)
        {
            var expected = new float[rows];
            fixed (ushort* k = keys)
            fixed (float* q = &queries[g * n])
            fixed (float* e = expected)
                HalfRows128.KeyDots(k, stride, rows, q, n, e);
            for (int r = 0; r < rows; r++)
                Assert.True(BitConverter.SingleToUInt32Bits(expected[r]) == BitConverter.SingleToUInt32Bits(grouped[g * scoreStride + r])
                    || (expected[r] == 0 && grouped[g * scoreStride + r] == 0), $"query {g} row {r}: {grouped[g * scoreStride + r]:R}, per head {expected[r]:R}");
        }
    }

    [Theory]
    [InlineData(16, 1, 1)]
    [InlineData(64, 8, 37)]
    [InlineData(64, 4, 16)]
    [InlineData(96, 3, 5)]
    [InlineData(128, 2, 33)]
    public void AccumulateValues_are_the_per_head_sums_within_a_rounding_per_row(int n, int groups, int rows)
    {
        var rng = new Random(n * 17 + rows);
        const int stride = 260, probabilityStride = 50;
        ushort[] values = Halves(stride * rows, rng);
        var probabilities = new float[groups * probabilityStride];
        for (int i = 0; i < probabilities.Length; i++) probabilities[i] = (float)Math.Pow(rng.NextDouble(), 8);
        Fp16.RoundToHalfPrecision(probabilities, vector: false);
        float[] scaled = probabilities.Select(p => p * Fp16.TwoPow112).ToArray();
        var grouped = new float[groups * n];
        var scratch = new float[HalfRowsGrouped128.ScratchFloats(n)];
        fixed (ushort* v = values)
        fixed (float* p = scaled)
        fixed (float* o = grouped)
        fixed (float* w = scratch)
            HalfRowsGrouped128.AccumulateValues(v, stride, rows, p, probabilityStride, groups, o, n, n, w);
        for (int g = 0; g < groups; g++)
        {
            var expected = new float[n];
            fixed (ushort* v = values)
            fixed (float* p = &probabilities[g * probabilityStride])
            fixed (float* o = expected)
                HalfRows128.AccumulateValues(v, stride, rows, p, o, n);
            // Fused where the per-head kernel rounds each product: at most a rounding per row apart, of the products' size.
            for (int d = 0; d < n; d++)
            {
                double magnitude = 0;
                for (int r = 0; r < rows; r++) magnitude += Math.Abs((double)probabilities[g * probabilityStride + r] * Fp16.ToSingle(values[r * stride + d]));
                Assert.True(Math.Abs(grouped[g * n + d] - expected[d]) <= rows * Math.Pow(2, -23) * magnitude,
                    $"query {g} output {d}: {grouped[g * n + d]:R}, per head {expected[d]:R}");
            }
            Assert.NotEqual(0f, grouped[g * n]);
        }
    }

    [Fact]
    public void RoundToHalfPrecisionScaledUp_is_the_scalar_round_trip_times_two_to_the_112_including_overflow()
    {
        var xs = new List<float> { 65504f, 65519.99f, 65520f, -70000f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, 1e-8f, -3e-5f, 0f, -0f };
        var rng = new Random(5);
        for (int i = 0; i < 997; i++) xs.Add((float)((rng.NextDouble() * 2 - 1) * Math.Pow(10, rng.Next(-9, 5))));
        float[] x = xs.ToArray();
        Fp16.RoundToHalfPrecisionScaledUp(x);
        for (int i = 0; i < x.Length; i++)
        {
            float expected = Fp16.ToSingle(Fp16.FromSingle(xs[i])) * Fp16.TwoPow112;
            Assert.True(BitConverter.SingleToUInt32Bits(expected) == BitConverter.SingleToUInt32Bits(x[i]) || (float.IsNaN(expected) && float.IsNaN(x[i])),
                $"{xs[i]:R}: {x[i]:R}, expected {expected:R}");
        }
    }

    [Theory]
    [InlineData(8, 32, 1, 8)]   // one worker: the whole group
    [InlineData(8, 32, 4, 4)]   // generation, 4 workers, 32 heads: 8 items
    [InlineData(6, 12, 2, 3)]   // Qwen2.5-1.5B generation on 2 workers
    [InlineData(6, 12, 4, 1)]
    [InlineData(4, 32 * 64, 4, 4)] // a prompt batch: plenty of items
    [InlineData(10, 20, 1, 5)]     // more heads per key/value head than lanes: the largest divisor that fits
    [InlineData(16, 16, 1, 8)]
    [InlineData(11, 11, 1, 1)]     // a prime above eight: single heads
    public void HeadsPerItem_keeps_two_items_per_worker(int groupSize, int items, int workers, int expected) =>
        Assert.Equal(expected, AttentionJob.HeadsPerItem(groupSize, items, workers));
}
