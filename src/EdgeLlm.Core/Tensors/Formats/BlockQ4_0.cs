namespace EdgeLlm.Core.Tensors.Formats;

/// <summary>Q4_0: 32 weights = fp16 d, 16 bytes of nibbles. Byte j holds element j (low nibble) and j+16 (high); w = (q-8)·d.</summary>
internal static class BlockQ4_0
{
    public const int Elements = 32, Bytes = 18, D = 0, Qs = 2;

    public static void Dequantize(ReadOnlySpan<byte> b, Span<float> y)
    {
        float d = BlockRead.Half(b, D);
        for (int j = 0; j < 16; j++)
        {
            int q = b[Qs + j];
            y[j] = ((q & 0xF) - 8) * d;
            y[j + 16] = ((q >> 4) - 8) * d;
        }
    }
}
