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

/// <summary>
/// Rows (rowBytes apart) · one activation row with the float kernels of <typeparamref name="T"/>, one method per element type
/// so each has the row-kernel shape the per-type table (<see cref="QuantTypes"/>) lists.
/// </summary>
internal static unsafe class FloatRows
{
    public static void F32<T>(byte* w, nint rowBytes, int rows, byte* a, int n, float* results) where T : struct, IFloatDot
    {
        for (int r = 0; r < rows; r++) results[r] = T.F32((float*)(w + r * rowBytes), (float*)a, n);
    }

    public static void F16<T>(byte* w, nint rowBytes, int rows, byte* a, int n, float* results) where T : struct, IFloatDot
    {
        for (int r = 0; r < rows; r++) results[r] = T.F16((ushort*)(w + r * rowBytes), (ushort*)a, n);
    }

    public static void BF16<T>(byte* w, nint rowBytes, int rows, byte* a, int n, float* results) where T : struct, IFloatDot
    {
        for (int r = 0; r < rows; r++) results[r] = T.BF16((ushort*)(w + r * rowBytes), (ushort*)a, n);
    }
}
