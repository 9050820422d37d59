namespace EdgeLlm.Core.Tensors.Formats;

/// <summary>
/// Q5_K: Q4_K plus a fifth bit: fp16 d, fp16 dmin, scales[12] (as Q4_K), qh[32], qs[128]. Group g's fifth bit is bit g of qh[l].
/// </summary>
internal static class BlockQ5_K
{
    public const int Elements = 256, Bytes = 176, D = 0, DMin = 2, Scales = 4, Qh = 16, Qs = 48;

    /// <summary>The 5-bit quant (0..31) of weight <paramref name="e"/>.</summary>
    public static int Quant(ReadOnlySpan<byte> b, int e)
    {
        int g = e >> 5, l = e & 31, c = g >> 1;
        int q = b[Qs + 32 * c + l];
        int nib = (g & 1) == 0 ? q & 0xF : q >> 4;
        return nib | (((b[Qh + l] >> g) & 1) << 4);
    }

    public static void Dequantize(ReadOnlySpan<byte> b, Span<float> y)
    {
        float d = BlockRead.Half(b, D), min = BlockRead.Half(b, DMin);
        var packed = b.Slice(Scales, 12);
        for (int g = 0; g < 8; g++)
        {
            var (s, m) = BlockQ4_K.ScaleMin(packed, g);
            float dl = d * s, ml = min * m;
            for (int l = 0; l < 32; l++) y[32 * g + l] = dl * Quant(b, 32 * g + l) - ml;
        }
    }
}
