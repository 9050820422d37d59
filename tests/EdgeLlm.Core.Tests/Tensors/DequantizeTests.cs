using EdgeLlm.Core.Tensors;

namespace EdgeLlm.Core.Tests.Tensors;

/// <summary>Known blocks decoded by hand from the ggml layouts.</summary>
public class DequantizeTests
{
    private static void Half(byte[] b, int offset, float v) => BitConverter.TryWriteBytes(b.AsSpan(offset), BitConverter.HalfToUInt16Bits((Half)v));

    [Fact]
    public void Q4_0_low_nibbles_are_the_first_half_of_the_block()
    {
        var b = new byte[18];
        Half(b, 0, 0.5f);
        for (int j = 0; j < 16; j++) b[2 + j] = (byte)(j | ((15 - j) << 4));
        var y = new float[32];
        Quants.DequantizeRow(GgmlType.Q4_0, b, y);
        for (int j = 0; j < 16; j++)
        {
            Assert.Equal((j - 8) * 0.5f, y[j]);
            Assert.Equal((15 - j - 8) * 0.5f, y[j + 16]);
        }
        Assert.Equal(-4f, y[0]);
        Assert.Equal(3.5f, y[16]);
    }

    [Fact]
    public void Q8_0_is_signed_bytes_times_d()
    {
        var b = new byte[34 * 2];
        Half(b, 0, 0.25f);
        Half(b, 34, -2f);
        b[2] = 0x7F; b[3] = 0x81; b[4] = 0xFF; b[5] = 1;
        b[36] = 3;
        var y = new float[64];
        Quants.DequantizeRow(GgmlType.Q8_0, b, y);
        Assert.Equal([31.75f, -31.75f, -0.25f, 0.25f, 0f], y[..5]);
        Assert.Equal(-6f, y[32]);
    }

    [Fact]
    public void Q4_K_uses_six_bit_scales_and_mins()
    {
        var b = new byte[144];
        Half(b, 0, 2f);    // d
        Half(b, 2, 0.5f);  // dmin
        // Groups 0..3: scale = bytes 0..3 & 63, min = bytes 4..7 & 63. Groups 4..7: low nibble from bytes 8..11, top 2 bits from
        // bits 6..7 of bytes 0..3 (scales) and 4..7 (mins).
        b[4 + 0] = 3;                 // scale0 = 3
        b[4 + 4] = 5;                 // min0 = 5
        b[4 + 1] = 0b01_000001;       // scale1 = 1, and contributes top bits 01 to scale5
        b[4 + 5] = 0b10_000010;       // min1 = 2, and contributes top bits 10 to min5
        b[4 + 9] = 0x7 | (0x4 << 4);  // scale5 low nibble 7, min5 low nibble 4 → scale5 = 16+7 = 23, min5 = 32+4 = 36
        b[16 + 0] = 0x9A;             // weight 0 (group 0) = 0xA, weight 32 (group 1) = 0x9
        b[16 + 64 + 3] = 0xC0;        // weight 128+32+3 (group 5) = 0xC, weight 128+3 (group 4) = 0
        var y = new float[256];
        Quants.DequantizeRow(GgmlType.Q4_K, b, y);
        Assert.Equal(2f * 3 * 10 - 0.5f * 5, y[0]);
        Assert.Equal(2f * 1 * 9 - 0.5f * 2, y[32]);
        Assert.Equal(2f * 23 * 12 - 0.5f * 36, y[128 + 32 + 3]);
        Assert.Equal(-0.5f * 5, y[1]); // q = 0
    }

    [Fact]
    public void Q6_K_combines_four_low_and_two_high_bits_around_32()
    {
        var b = new byte[210];
        Half(b, 208, 0.5f);
        for (int i = 0; i < 16; i++) b[192 + i] = (byte)(sbyte)(i - 8); // scales −8..7
        b[0] = 0x3F;          // ql[0]: weight 0 low nibble 0xF, weight 64 low nibble 0x3
        b[32] = 0x21;         // ql[32]: weight 32 → 1, weight 96 → 2
        b[128] = 0b11_10_01_00; // qh[0]: weight 0 → 0, weight 32 → 1, weight 64 → 2, weight 96 → 3 (high bits)
        b[64 + 5] = 0x07;     // second half: ql[64+5] → weight 128+5 low nibble 7
        b[128 + 32 + 5] = 0b01; // qh[32+5] → weight 128+5 high bits 1
        var y = new float[256];
        Quants.DequantizeRow(GgmlType.Q6_K, b, y);
        Assert.Equal(0.5f * -8 * (15 - 32), y[0]);                 // group 0 scale −8
        Assert.Equal(0.5f * -6 * ((1 | 1 << 4) - 32), y[32]);      // group 2 scale −6
        Assert.Equal(0.5f * -4 * ((3 | 2 << 4) - 32), y[64]);      // group 4 scale −4
        Assert.Equal(0.5f * -2 * ((2 | 3 << 4) - 32), y[96]);      // group 6 scale −2
        Assert.Equal(0.5f * 0 * ((7 | 1 << 4) - 32), y[128 + 5]);  // group 8 scale 0
        Assert.Equal(0.5f * -8 * (0 - 32), y[1]);
    }

    [Fact]
    public void Q8_K_is_float_d_times_bytes()
    {
        var b = new byte[292];
        BitConverter.TryWriteBytes(b.AsSpan(0), 0.125f);
        b[4] = 0x80; b[4 + 255] = 100;
        var y = new float[256];
        Quants.DequantizeRow(GgmlType.Q8_K, b, y);
        Assert.Equal(-16f, y[0]);
        Assert.Equal(12.5f, y[255]);
    }

    [Fact]
    public void Float_types_decode_directly()
    {
        float[] v = [1.5f, -2.25f, 65504f, 0.0001f];
        var f16 = new byte[8];
        var bf16 = new byte[8];
        Quants.QuantizeRow(GgmlType.F16, v, f16);
        Quants.QuantizeRow(GgmlType.BF16, v, bf16);
        var y = new float[4];
        Quants.DequantizeRow(GgmlType.F16, f16, y);
        Assert.Equal([1.5f, -2.25f, 65504f, (float)(Half)0.0001f], y);
        Quants.DequantizeRow(GgmlType.BF16, bf16, y);
        Assert.Equal(1.5f, y[0]);
        Assert.Equal(-2.25f, y[1]);
    }

    [Theory]
    [InlineData(GgmlType.Q4_0, 31)]
    [InlineData(GgmlType.Q4_K, 128)]
    public void Partial_blocks_are_rejected(GgmlType type, int n)
    {
        Assert.Throws<ArgumentException>(() => Quants.DequantizeRow(type, new byte[1024], new float[n]));
    }

    [Fact]
    public void Activation_types_match_ggml_vec_dot_type()
    {
        Assert.Equal(GgmlType.Q8_0, Quants.ActivationType(GgmlType.Q4_0));
        Assert.Equal(GgmlType.Q8_0, Quants.ActivationType(GgmlType.Q5_0));
        Assert.Equal(GgmlType.Q8_0, Quants.ActivationType(GgmlType.Q8_0));
        Assert.Equal(GgmlType.Q8_1, Quants.ActivationType(GgmlType.Q4_1));
        Assert.Equal(GgmlType.Q8_1, Quants.ActivationType(GgmlType.Q5_1));
        foreach (var t in new[] { GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K })
            Assert.Equal(GgmlType.Q8_K, Quants.ActivationType(t));
        Assert.Equal(GgmlType.F16, Quants.ActivationType(GgmlType.F16));
        Assert.Equal(GgmlType.BF16, Quants.ActivationType(GgmlType.BF16));
        Assert.Equal(GgmlType.F32, Quants.ActivationType(GgmlType.F32));
    }
}
