namespace EdgeLlm.Core.Tensors.Formats;

/// <summary>
/// Q6_K: 256 weights in 16 groups of 16 with signed 8-bit scales. ql[128] low 4 bits, qh[64] high 2 bits, scales[16], fp16 d;
/// w = d·scale·(q−32).
/// </summary>
/// <remarks>
/// Each 128-weight half h uses ql[64h..64h+63] and qh[32h..32h+31]. For l in 0..31, weights 128h + 32k + l (k = 0..3)
/// take low nibbles of ql[l], ql[l+32], high nibbles of ql[l], ql[l+32] and bits 2k..2k+1 of qh[l].
/// </remarks>
internal static class BlockQ6_K
{
    public const int Elements = 256, Bytes = 210, Ql = 0, Qh = 128, Scales = 192, D = 208;

    /// <summary>The unsigned 6-bit quant (0..63) of weight <paramref name="e"/>; subtract 32 for its value.</summary>
    public static int Quant(ReadOnlySpan<byte> b, int e)
    {
        int h = e >> 7, k = (e >> 5) & 3, l = e & 31;
        int ql = b[Ql + 64 * h + l + ((k & 1) != 0 ? 32 : 0)];
        int low = k < 2 ? ql & 0xF : ql >> 4;
        int high = (b[Qh + 32 * h + l] >> (2 * k)) & 3;
        return low | (high << 4);
    }

    public static void Dequantize(ReadOnlySpan<byte> b, Span<float> y)
    {
        float d = BlockRead.Half(b, D);
        for (int e = 0; e < 256; e++)
        {
            // Same association as ggml: (d·scale)·q.
            y[e] = d * (sbyte)b[Scales + (e >> 4)] * (Quant(b, e) - 32);
        }
    }
}
