namespace EdgeLlm.Core.Tensors.Formats;

/// <summary>Q4_1: 32 weights = fp16 d, fp16 m, 16 bytes of nibbles laid out as Q4_0; w = q·d + m.</summary>
internal static class BlockQ4_1
{
    public const int Elements = 32, Bytes = 20, D = 0, M = 2, Qs = 4;

    public static void Dequantize(ReadOnlySpan<byte> b, Span<float> y)
    {
        float d = BlockRead.Half(b, D), m = BlockRead.Half(b, M);
        for (int j = 0; j < 16; j++)
        {
            int q = b[Qs + j];
            y[j] = (q & 0xF) * d + m;
            y[j + 16] = (q >> 4) * d + m;
        }
    }
}
