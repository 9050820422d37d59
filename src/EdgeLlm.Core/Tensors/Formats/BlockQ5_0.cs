namespace EdgeLlm.Core.Tensors.Formats;

/// <summary>Q5_0: 32 weights = fp16 d, 32 high bits (bit j = 5th bit of element j), 16 nibble bytes as Q4_0; w = (q-16)·d.</summary>
internal static class BlockQ5_0
{
    public const int Elements = 32, Bytes = 22, D = 0, Qh = 2, Qs = 6;

    /// <summary>The 5-bit unsigned quant of element <paramref name="j"/> (0..31).</summary>
    public static int Quant(ReadOnlySpan<byte> b, uint qh, int j)
    {
        int nib = j < 16 ? b[Qs + j] & 0xF : b[Qs + j - 16] >> 4;
        return nib | (int)(((qh >> j) & 1) << 4);
    }

    public static void Dequantize(ReadOnlySpan<byte> b, Span<float> y)
    {
        float d = BlockRead.Half(b, D);
        uint qh = BlockRead.UInt32(b, Qh);
        for (int j = 0; j < 32; j++) y[j] = (Quant(b, qh, j) - 16) * d;
    }
}
