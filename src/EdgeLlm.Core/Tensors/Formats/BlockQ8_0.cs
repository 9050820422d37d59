namespace EdgeLlm.Core.Tensors.Formats;

/// <summary>Q8_0: 32 values = fp16 d, 32 signed bytes; v = q·d.</summary>
internal static class BlockQ8_0
{
    public const int Elements = 32, Bytes = 34, D = 0, Qs = 2;

    public static void Dequantize(ReadOnlySpan<byte> b, Span<float> y)
    {
        float d = BlockRead.Half(b, D);
        for (int j = 0; j < 32; j++) y[j] = (sbyte)b[Qs + j] * d;
    }

    /// <summary>Quantizes one block: d = amax/127, q = round-half-even(x/d) (see <see cref="Quants.QuantizeRow"/> for why half-even).</summary>
    public static void Quantize(ReadOnlySpan<float> x, Span<byte> b)
    {
        float amax = 0;
        for (int j = 0; j < 32; j++) amax = MathF.Max(amax, MathF.Abs(x[j]));
        float d = amax / 127;
        float id = d != 0 ? 1.0f / d : 0.0f;
        BitConverterWrite.Half(b, D, d);
        for (int j = 0; j < 32; j++) b[Qs + j] = (byte)(sbyte)MathF.Round(x[j] * id, MidpointRounding.ToEven);
    }
}
