namespace EdgeLlm.Core.Tensors.Formats;

/// <summary>
/// Q3_K: 256 weights in 16 groups of 16. hmask[32] (high bit, inverted: set means +0, clear means −4), qs[64] low 2 bits
/// (same order as Q2_K), scales[12] = sixteen 6-bit signed-by-32 scales, fp16 d; w = d·(scale−32)·q with q in −4..3.
/// </summary>
internal static class BlockQ3_K
{
    public const int Elements = 256, Bytes = 110, HMask = 0, Qs = 32, Scales = 96, D = 108;

    /// <summary>Scale <paramref name="i"/> (0..15) minus 32: low 4 bits come from bytes 0..7, the top 2 bits from bytes 8..11.</summary>
    public static int Scale(ReadOnlySpan<byte> b, int i)
    {
        int low = i < 8 ? b[Scales + i] & 0xF : b[Scales + i - 8] >> 4;
        int high = (b[Scales + 8 + (i & 3)] >> (2 * (i >> 2))) & 3;
        return (low | (high << 4)) - 32;
    }

    /// <summary>The signed 3-bit quant (−4..3) of weight <paramref name="e"/>.</summary>
    public static int Quant(ReadOnlySpan<byte> b, int e)
    {
        int half = e >> 7, within = e & 127, plane = within >> 5, l = within & 31;
        int low = (b[Qs + half * 32 + l] >> (plane * 2)) & 3;
        // hmask bit (half*4 + plane) of byte l.
        bool high = (b[HMask + l] & (1 << (half * 4 + plane))) != 0;
        return low - (high ? 0 : 4);
    }

    public static void Dequantize(ReadOnlySpan<byte> b, Span<float> y)
    {
        float d = BlockRead.Half(b, D);
        for (int g = 0; g < 16; g++)
        {
            float dl = d * Scale(b, g);
            for (int l = 0; l < 16; l++) y[g * 16 + l] = dl * Quant(b, g * 16 + l);
        }
    }
}
