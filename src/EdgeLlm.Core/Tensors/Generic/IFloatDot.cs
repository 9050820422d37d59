namespace EdgeLlm.Core.Tensors.Generic;

/// <summary>
/// F32/F16/BF16 dots of one vector width, as a struct strategy: <see cref="FloatDot"/> (256 bits, x64) and
/// <see cref="FloatDot128"/> (128 bits, arm64) share <see cref="FloatRows"/>, which walks the rows.
/// </summary>
internal unsafe interface IFloatDot
{
    static abstract float F32(float* x, float* y, int n);
    static abstract float F16(ushort* x, ushort* y, int n);
    static abstract float BF16(ushort* x, ushort* y, int n);
}

/// <summary>Rows · one activation row with the float kernels of <typeparamref name="T"/>.</summary>
internal static unsafe class FloatRows
{
    public static void Run<T>(GgmlType type, byte* w, nint rowBytes, int rows, byte* a, int n, float* results) where T : struct, IFloatDot
    {
        for (int r = 0; r < rows; r++)
        {
            byte* x = w + r * rowBytes;
            results[r] = type switch
            {
                GgmlType.F32 => T.F32((float*)x, (float*)a, n),
                GgmlType.F16 => T.F16((ushort*)x, (ushort*)a, n),
                _ => T.BF16((ushort*)x, (ushort*)a, n),
            };
        }
    }
}
