using EdgeLlm.Core.Model;
using EdgeLlm.Core.Tensors;
using EdgeLlm.Core.Tensors.Generic;

namespace EdgeLlm.Core.Tests.Tensors.Generic;

/// <summary>arm64's attention kernels over an F16 cache (run here on x64's 128-bit vectors) against the scalar definitions.</summary>
public unsafe class HalfRows128Tests
{
    /// <summary>Random finite halves, some of them subnormal (keys and values near zero are).</summary>
    internal static ushort[] Halves(int count, Random rng)
    {
        var h = new ushort[count];
        for (int i = 0; i < count; i++)
            h[i] = rng.Next(8) == 0 ? (ushort)(rng.Next(0x400) | (rng.Next(2) << 15)) : Fp16.FromSingle((float)((rng.NextDouble() * 2 - 1) * 8));
        return h;
    }

    [Theory]
    [InlineData(4)]
    [InlineData(8)]
    [InlineData(12)]
    [InlineData(64)]
    [InlineData(67)]
    [InlineData(128)]
    public void KeyDots_equal_the_scalar_F16_dot(int n)
    {
        var rng = new Random(n);
        const int rows = 37, stride = 200; // rows farther apart than a head, as in a cache of several heads
        ushort[] keys = Halves(stride * rows, rng);
        ushort[] queryHalves = Halves(n, rng);
        float[] query = queryHalves.Select(Fp16.ToSingle).ToArray();
        var results = new float[rows];
        fixed (ushort* k = keys)
        fixed (float* q = query)
        fixed (float* r = results)
            HalfRows128.KeyDots(k, stride, rows, q, n, r);
        byte[] queryBytes = queryHalves.SelectMany(BitConverter.GetBytes).ToArray();
        for (int row = 0; row < rows; row++)
        {
            byte[] rowBytes = keys.AsSpan(row * stride, n).ToArray().SelectMany(BitConverter.GetBytes).ToArray();
            float expected = ScalarDot.Row(GgmlType.F16, rowBytes, queryBytes, n);
            double magnitude = 0;
            for (int i = 0; i < n; i++) magnitude += Math.Abs((double)Fp16.ToSingle(keys[row * stride + i]) * query[i]);
            Assert.True(Math.Abs(results[row] - expected) <= 1e-5 * magnitude + 1e-30, $"row {row}: {results[row]} vs {expected}");
        }
    }

    [Theory]
    [InlineData(8)]
    [InlineData(16)]
    [InlineData(64)]
    [InlineData(70)]
    [InlineData(128)]
    public void AccumulateValues_gives_the_bits_of_one_row_at_a_time(int n)
    {
        var rng = new Random(100 + n);
        const int stride = 160;
        foreach (int rows in new[] { 1, 2, 33 })
        {
            ushort[] values = Halves(stride * rows, rng);
            float[] probabilities = Enumerable.Range(0, rows).Select(_ => (float)Math.Pow(rng.NextDouble(), 8)).ToArray();
            float[] start = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();

            float[] expected = (float[])start.Clone();
            byte[] bytes = values.SelectMany(BitConverter.GetBytes).ToArray();
            for (int r = 0; r < rows; r++)
                AttentionJob.AccumulateScaled(GgmlType.F16, expected, bytes.AsSpan(2 * r * stride, 2 * n), probabilities[r], 0);

            float[] rounded = (float[])probabilities.Clone();
            Fp16.RoundToHalfPrecision(rounded, vector: true);
            float[] actual = (float[])start.Clone();
            fixed (ushort* v = values)
            fixed (float* p = rounded)
            fixed (float* o = actual)
                HalfRows128.AccumulateValues(v, stride, rows, p, o, n);
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void RoundToHalfPrecision_vector_equals_the_scalar_round_trip()
    {
        // Every 37th float from 0 up to the largest half, both signs: normals, subnormals, ties and carries into the exponent.
        var xs = new List<float>();
        for (uint bits = 0; bits < 0x477FE000u; bits += 37)
        {
            xs.Add(BitConverter.UInt32BitsToSingle(bits));
            if (bits % 7 == 0) xs.Add(-BitConverter.UInt32BitsToSingle(bits));
        }
        foreach (uint tie in new uint[] { 0x3F801000, 0x3F803000, 0x38801000, 0x33800000, 0x33C00000, 0x34200000 })
            xs.Add(BitConverter.UInt32BitsToSingle(tie));
        float[] vec = xs.ToArray(), scalar = xs.ToArray();
        Fp16.RoundToHalfPrecision(vec, vector: true);
        Fp16.RoundToHalfPrecision(scalar, vector: false);
        for (int i = 0; i < vec.Length; i++)
            if (BitConverter.SingleToUInt32Bits(vec[i]) != BitConverter.SingleToUInt32Bits(scalar[i]))
                Assert.Fail($"{xs[i]:R} (0x{BitConverter.SingleToUInt32Bits(xs[i]):X8}): vector {vec[i]:R}, scalar {scalar[i]:R}");
    }
}
