namespace EdgeLlm.Core.Tensors.Formats;

/// <summary>Q8_1: 32 values = fp16 d, fp16 s (= d·Σq, used to fold the weight offset of Q4_1/Q5_1), 32 signed bytes.</summary>
internal static class BlockQ8_1
{
    public const int Elements = 32, Bytes = 36, D = 0, S = 2, Qs = 4;

    public static void Dequantize(ReadOnlySpan<byte> b, Span<float> y)
    {
        float d = BlockRead.Half(b, D);
        for (int j = 0; j < 32; j++) y[j] = (sbyte)b[Qs + j] * d;
    }

    public static void Quantize(ReadOnlySpan<float> x, Span<byte> b)
    {
        float amax = 0;
        for (int j = 0; j < 32; j++) amax = MathF.Max(amax, MathF.Abs(x[j]));
        float d = amax / 127;
        float id = d != 0 ? 1.0f / d : 0.0f;
        int sum = 0;
        for (int j = 0; j < 32; j++)
        {
            int q = (int)MathF.Round(x[j] * id, MidpointRounding.ToEven);
            b[Qs + j] = (byte)(sbyte)q;
            sum += q;
        }
        BitConverterWrite.Half(b, D, d);
        BitConverterWrite.Half(b, S, sum * d);
    }
}
