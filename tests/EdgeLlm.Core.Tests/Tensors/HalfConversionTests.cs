using System.Runtime.Intrinsics;
using EdgeLlm.Core.Tensors;

namespace EdgeLlm.Core.Tests.Tensors;

public class HalfConversionTests
{
    [Fact]
    public void Every_half_converts_like_the_runtime_Half_type()
    {
        for (int i = 0; i < 65536; i++)
        {
            float expected = (float)BitConverter.UInt16BitsToHalf((ushort)i);
            float got = Fp16.ToSingle((ushort)i);
            if (float.IsNaN(expected)) Assert.True(float.IsNaN(got), $"0x{i:X4}");
            else Assert.Equal(BitConverter.SingleToUInt32Bits(expected), BitConverter.SingleToUInt32Bits(got));
        }
    }

    [Fact]
    public void Arithmetic_conversion_equals_the_table_for_every_half()
    {
        for (int i = 0; i < 65536; i++)
        {
            float expected = Fp16.ToSingle((ushort)i), got = Fp16.ToSingleArithmetic((ushort)i);
            if (float.IsNaN(expected)) Assert.True(float.IsNaN(got), $"0x{i:X4}");
            else Assert.True(BitConverter.SingleToUInt32Bits(expected) == BitConverter.SingleToUInt32Bits(got), $"0x{i:X4}: {expected} vs {got}");
        }
    }

    [Fact]
    public void Shift_conversion_equals_the_table_for_every_finite_half_in_both_widths()
    {
        for (int i = 0; i < 65536; i += 8)
        {
            Vector256<int> lanes = Vector256.Create(i, i + 1, i + 2, i + 3, i + 4, i + 5, i + 6, i + 7);
            Vector256<int> signExtended = (lanes << 16) >> 16; // the kernels load halves with a sign-extending move
            Vector256<float> wide = Fp16.ToSingleByShift(signExtended);
            Vector128<float> low = Fp16.ToSingleByShift(signExtended.GetLower()), high = Fp16.ToSingleByShift(signExtended.GetUpper());
            for (int k = 0; k < 8; k++)
            {
                float expected = Fp16.ToSingle((ushort)(i + k));
                if (!float.IsFinite(expected)) continue; // interleaved matrices have finite scales only
                uint bits = BitConverter.SingleToUInt32Bits(expected);
                Assert.Equal(bits, BitConverter.SingleToUInt32Bits(wide[k]));
                Assert.Equal(bits, BitConverter.SingleToUInt32Bits(k < 4 ? low[k] : high[k - 4]));
            }
        }
    }

    [Fact]
    public void Vector_conversion_equals_the_table_for_every_half()
    {
        Span<ushort> h = stackalloc ushort[8];
        for (int i = 0; i < 65536; i += 8)
        {
            for (int k = 0; k < 8; k++) h[k] = (ushort)(i + k);
            Vector256<float> v = Fp16.ToSingle(Vector128.Create<ushort>(h));
            for (int k = 0; k < 8; k++)
            {
                float expected = Fp16.ToSingle(h[k]);
                if (float.IsNaN(expected)) Assert.True(float.IsNaN(v[k]));
                else Assert.Equal(BitConverter.SingleToUInt32Bits(expected), BitConverter.SingleToUInt32Bits(v[k]));
            }
        }
    }

    [Fact]
    public void The_128_bit_conversion_equals_the_table_for_every_half()
    {
        Span<ushort> h = stackalloc ushort[8];
        for (int i = 0; i < 65536; i += 8)
        {
            for (int k = 0; k < 8; k++) h[k] = (ushort)(i + k);
            var halves = Vector128.Create<ushort>(h);
            Vector128<float> lower = Fp16.ToSingleLower(halves), upper = Fp16.ToSingleUpper(halves);
            for (int k = 0; k < 8; k++)
            {
                float expected = Fp16.ToSingle(h[k]), got = k < 4 ? lower[k] : upper[k - 4];
                if (float.IsNaN(expected)) Assert.True(float.IsNaN(got));
                else Assert.Equal(BitConverter.SingleToUInt32Bits(expected), BitConverter.SingleToUInt32Bits(got));
            }
        }
    }

    [Fact]
    public void Float_to_half_rounds_to_nearest_even_like_the_runtime()
    {
        var rng = new Random(5);
        var samples = new List<float> { 0f, -0f, 65504f, 65519.99f, 65520f, -65520f, 1e-8f, 2.98e-8f, 2.9802322e-8f, 5.96e-8f, 6.1e-5f,
            6.097555e-5f, 1.0009765625f, 1.00048828125f /* exact tie, rounds to even 1.0 */, 1.00146484375f /* tie, rounds up */,
            float.PositiveInfinity, float.NegativeInfinity, float.Epsilon, float.MaxValue };
        for (int i = 0; i < 200000; i++) samples.Add(BitConverter.UInt32BitsToSingle((uint)rng.NextInt64(0, 1L << 32)));
        for (int i = 0; i < 200000; i++) samples.Add((float)((rng.NextDouble() * 2 - 1) * Math.Pow(2, rng.Next(-26, 17))));
        foreach (float f in samples)
        {
            if (float.IsNaN(f))
            {
                Assert.True(Half.IsNaN(BitConverter.UInt16BitsToHalf(Fp16.FromSingle(f))));
                continue;
            }
            ushort expected = BitConverter.HalfToUInt16Bits((Half)f);
            Assert.True(expected == Fp16.FromSingle(f), $"{f:R}: expected 0x{expected:X4}, got 0x{Fp16.FromSingle(f):X4}");
        }
    }

    [Theory]
    [InlineData(1.0f, 0x3F80)]
    [InlineData(-2.5f, 0xC020)]
    [InlineData(1.00390625f, 0x3F80)] // 1 + 2^-8: tie, rounds to even (down)
    [InlineData(1.01171875f, 0x3F82)] // 1 + 3·2^-8: tie, rounds to even (up)
    public void Bf16_rounds_to_nearest_even(float value, int bits)
    {
        Assert.Equal((ushort)bits, Bf16.FromSingle(value));
        Assert.Equal(BitConverter.UInt32BitsToSingle((uint)bits << 16), Bf16.ToSingle((ushort)bits));
    }

    [Fact]
    public void Bf16_keeps_nan_a_nan()
    {
        Assert.True(float.IsNaN(Bf16.ToSingle(Bf16.FromSingle(float.NaN))));
        Assert.True(float.IsNaN(Bf16.ToSingle(Bf16.FromSingle(BitConverter.UInt32BitsToSingle(0x7F800001)))));
    }
    [Fact]
    public void FromSingle_of_a_span_gives_the_scalar_bits_for_every_kind_of_float()
    {
        // Every 29th float up to just past the largest half, both signs: normals, subnormals, ties, carries; then overflow,
        // infinities and NaN mixed into vectors of eight so that the scalar fallback runs beside vector groups.
        var xs = new List<float>();
        for (uint bits = 0; bits < 0x47800000u; bits += 29)
        {
            xs.Add(BitConverter.UInt32BitsToSingle(bits));
            if (bits % 3 == 0) xs.Add(-BitConverter.UInt32BitsToSingle(bits));
        }
        foreach (float special in new[] { 65519.99f, 65520f, -65520f, 1e6f, float.PositiveInfinity, float.NegativeInfinity, float.NaN })
            xs.Insert(xs.Count / 2, special);
        xs.Add(0.5f); // a tail shorter than eight
        float[] src = xs.ToArray();
        var got = new ushort[src.Length];
        Fp16.FromSingle(src, got);
        for (int i = 0; i < src.Length; i++)
            if (got[i] != Fp16.FromSingle(src[i]))
                Assert.Fail($"{src[i]:R} (0x{BitConverter.SingleToUInt32Bits(src[i]):X8}): 0x{got[i]:X4}, scalar 0x{Fp16.FromSingle(src[i]):X4}");
    }
}
