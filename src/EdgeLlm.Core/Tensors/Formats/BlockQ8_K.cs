namespace EdgeLlm.Core.Tensors.Formats;

/// <summary>Q8_K: 256 activations = float d, 256 signed bytes, 16 int16 sums of consecutive groups of 16 (for K-quant mins).</summary>
internal static class BlockQ8_K
{
    public const int Elements = 256, Bytes = 292, D = 0, Qs = 4, BSums = 260;

    public static void Dequantize(ReadOnlySpan<byte> b, Span<float> y)
    {
        float d = BlockRead.Single(b, D);
        for (int j = 0; j < 256; j++) y[j] = d * (sbyte)b[Qs + j];
    }

    /// <summary>
    /// Quantizes one block like ggml: the element of largest magnitude (first one on ties) maps to −127, so
    /// iscale = −127/max, q = min(127, round-half-even(iscale·x)), d = 1/iscale.
    /// </summary>
    public static void Quantize(ReadOnlySpan<float> x, Span<byte> b)
    {
        float max = 0, amax = 0;
        for (int j = 0; j < 256; j++)
        {
            float ax = MathF.Abs(x[j]);
            if (ax > amax) { amax = ax; max = x[j]; }
        }
        if (amax == 0)
        {
            b[..Bytes].Clear();
            return;
        }
        float iscale = -127.0f / max;
        for (int j = 0; j < 256; j++)
        {
            int v = (int)MathF.Round(iscale * x[j], MidpointRounding.ToEven);
            b[Qs + j] = (byte)(sbyte)Math.Min(127, v);
        }
        WriteSums(b);
        BitConverterWrite.Single(b, D, 1 / iscale);
    }

    /// <summary>Fills bsums from qs.</summary>
    public static void WriteSums(Span<byte> b)
    {
        for (int g = 0; g < 16; g++)
        {
            int sum = 0;
            for (int l = 0; l < 16; l++) sum += (sbyte)b[Qs + 16 * g + l];
            BitConverterWrite.Int16(b, BSums + 2 * g, (short)sum);
        }
    }
}
