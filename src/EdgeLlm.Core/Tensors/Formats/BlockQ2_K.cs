namespace EdgeLlm.Core.Tensors.Formats;

/// <summary>
/// Q2_K: 256 weights in 16 groups of 16. scales[16] (low nibble = scale, high nibble = min), qs[64] 2-bit quants,
/// fp16 d, fp16 dmin; w = d·scale·q − dmin·min.
/// </summary>
/// <remarks>Quant order: each 32-byte half of qs serves 128 weights; bits (2k, 2k+1) of byte l are weight 32k + l of that half.</remarks>
internal static class BlockQ2_K
{
    public const int Elements = 256, Bytes = 84, Scales = 0, Qs = 16, D = 80, DMin = 82;

    /// <summary>The 2-bit quant of weight <paramref name="e"/> (0..255).</summary>
    public static int Quant(ReadOnlySpan<byte> b, int e)
    {
        int half = e >> 7, within = e & 127, shift = (within >> 5) * 2, l = within & 31;
        return (b[Qs + half * 32 + l] >> shift) & 3;
    }

    public static void Dequantize(ReadOnlySpan<byte> b, Span<float> y)
    {
        float d = BlockRead.Half(b, D), min = BlockRead.Half(b, DMin);
        for (int g = 0; g < 16; g++)
        {
            int sc = b[Scales + g];
            float dl = d * (sc & 0xF), ml = min * (sc >> 4);
            for (int l = 0; l < 16; l++) y[g * 16 + l] = dl * Quant(b, g * 16 + l) - ml;
        }
    }
}
