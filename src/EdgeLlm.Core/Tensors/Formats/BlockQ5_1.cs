namespace EdgeLlm.Core.Tensors.Formats;

/// <summary>Q5_1: 32 weights = fp16 d, fp16 m, 32 high bits, 16 nibble bytes; w = q·d + m with q in 0..31.</summary>
internal static class BlockQ5_1
{
    public const int Elements = 32, Bytes = 24, D = 0, M = 2, Qh = 4, Qs = 8;

    public static int Quant(ReadOnlySpan<byte> b, uint qh, int j)
    {
        int nib = j < 16 ? b[Qs + j] & 0xF : b[Qs + j - 16] >> 4;
        return nib | (int)(((qh >> j) & 1) << 4);
    }

    public static void Dequantize(ReadOnlySpan<byte> b, Span<float> y)
    {
        float d = BlockRead.Half(b, D), m = BlockRead.Half(b, M);
        uint qh = BlockRead.UInt32(b, Qh);
        for (int j = 0; j < 32; j++) y[j] = Quant(b, qh, j) * d + m;
    }
}
