using EdgeLlm.Core.Tensors;

namespace EdgeLlm.Core.Tests.Tensors;

public class QuantizeTests
{
    public static TheoryData<GgmlType> ActivationTypes => new() { GgmlType.Q8_0, GgmlType.Q8_1, GgmlType.Q8_K, GgmlType.F16, GgmlType.BF16, GgmlType.F32 };

    [Theory]
    [MemberData(nameof(ActivationTypes))]
    public void Round_trip_error_is_within_half_a_step(GgmlType type)
    {
        var rng = new Random(11);
        int block = GgmlTypeInfo.BlockSize(type) == 1 ? 256 : GgmlTypeInfo.BlockSize(type);
        int n = block * 5;
        float[] x = RandomBlocks.Floats(n, rng);
        var q = new byte[GgmlTypeInfo.RowBytes(type, n)];
        Quants.QuantizeRow(type, x, q);
        var y = new float[n];
        Quants.DequantizeRow(type, q, y);
        for (int b = 0; b < n / block; b++)
        {
            float amax = 0;
            for (int j = 0; j < block; j++) amax = MathF.Max(amax, MathF.Abs(x[b * block + j]));
            // Q8: half a quant step (amax/127/2) plus the fp16 rounding of d (relative 2^-11 of each value).
            // F16: relative 2^-11, BF16: relative 2^-8, F32 exact.
            for (int j = 0; j < block; j++)
            {
                int i = b * block + j;
                double bound = type switch
                {
                    GgmlType.Q8_0 or GgmlType.Q8_1 => amax / 127 * 0.5 * 1.001 + Math.Abs(x[i]) * Math.Pow(2, -11),
                    GgmlType.Q8_K => amax / 127 * 0.5 * 1.001,
                    GgmlType.F16 => Math.Abs(x[i]) * Math.Pow(2, -11) + 3e-8,
                    GgmlType.BF16 => Math.Abs(x[i]) * Math.Pow(2, -8),
                    _ => 0,
                };
                Assert.True(Math.Abs(x[i] - y[i]) <= bound, $"{type} element {i}: {x[i]} → {y[i]} (bound {bound})");
            }
        }
    }

    [Fact]
    public void Q8_1_sum_field_is_d_times_the_quant_sum()
    {
        var rng = new Random(3);
        float[] x = RandomBlocks.Floats(64, rng);
        var q = new byte[72];
        Quants.QuantizeRow(GgmlType.Q8_1, x, q);
        for (int b = 0; b < 2; b++)
        {
            var blk = q.AsSpan(36 * b, 36);
            float d = (float)BitConverter.ToHalf(blk);
            int sum = 0;
            for (int j = 0; j < 32; j++) sum += (sbyte)blk[4 + j];
            // The raw d (before fp16 storage) enters s, so compare to fp16 precision.
            Assert.Equal(sum * d, (float)BitConverter.ToHalf(blk[2..]), MathF.Abs(sum * d) * 2e-3f + 1e-6f);
        }
    }

    [Fact]
    public void Q8_K_maps_the_largest_magnitude_to_minus_127_and_fills_group_sums()
    {
        var x = new float[256];
        var rng = new Random(8);
        for (int i = 0; i < 256; i++) x[i] = (float)(rng.NextDouble() - 0.5);
        x[17] = 3f;
        x[200] = -3f; // same magnitude, later: the first one decides the sign of the scale
        var q = new byte[292];
        Quants.QuantizeRow(GgmlType.Q8_K, x, q);
        Assert.Equal(-127, (sbyte)q[4 + 17]);
        Assert.Equal(127, (sbyte)q[4 + 200]);
        Assert.Equal(-3f / 127f, BitConverter.ToSingle(q), 1e-7f);
        for (int g = 0; g < 16; g++)
        {
            int sum = 0;
            for (int l = 0; l < 16; l++) sum += (sbyte)q[4 + 16 * g + l];
            Assert.Equal(sum, BitConverter.ToInt16(q, 260 + 2 * g));
        }
    }

    [Fact]
    public void Q8_0_ties_round_to_even()
    {
        var x = new float[32];
        x[0] = 127;      // d = 1 exactly, so the other values are quantized unscaled
        x[1] = 2.5f; x[2] = 3.5f; x[3] = -2.5f; x[4] = -0.5f;
        var q = new byte[34];
        Quants.QuantizeRow(GgmlType.Q8_0, x, q);
        Assert.Equal([127, 2, 4, -2, 0], q[2..7].Select(b => (int)(sbyte)b));
        Quants.QuantizeRowScalar(GgmlType.Q8_0, x, q);
        Assert.Equal([127, 2, 4, -2, 0], q[2..7].Select(b => (int)(sbyte)b));
    }

    [Theory]
    [InlineData(GgmlType.Q8_0)]
    [InlineData(GgmlType.Q8_K)]
    [InlineData(GgmlType.Q8_1)]
    public void Simd_quantize_is_bit_identical_to_scalar(GgmlType type)
    {
        var rng = new Random(21);
        int bs = GgmlTypeInfo.BlockSize(type);
        foreach (int blocks in new[] { 1, 2, 7, 16 })
        {
            foreach (var x in new[] { RandomBlocks.Floats(bs * blocks, rng), RandomBlocks.TieFloats(bs * blocks, bs, rng), new float[bs * blocks] })
            {
                var fast = new byte[GgmlTypeInfo.RowBytes(type, x.Length)];
                var slow = new byte[fast.Length];
                Quants.QuantizeRow(type, x, fast);
                Quants.QuantizeRowScalar(type, x, slow);
                Assert.Equal(slow, fast);
            }
        }
    }

    [Fact]
    public void Weight_types_cannot_be_quantized_to()
    {
        Assert.Throws<NotSupportedException>(() => Quants.QuantizeRow(GgmlType.Q4_0, new float[32], new byte[18]));
    }
}
