using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace EdgeLlm.Core.Model.Ops;

/// <summary>Root-mean-square normalisation followed by the learned per-channel weight.</summary>
public static class RmsNorm
{
    /// <summary>dst = src / sqrt(mean(src²) + eps) * weight.</summary>
    /// <remarks>
    /// The squares are float products summed in double, like ggml, so long rows do not lose precision. With 128-bit vectors
    /// (arm64's width; x64 too) four products are widened to double per step into two accumulators: the same products in
    /// another order, so the double sum can differ from the scalar one in its last bits, which the float mean hardly ever sees.
    /// </remarks>
    public static void Apply(ReadOnlySpan<float> src, ReadOnlySpan<float> weight, float eps, Span<float> dst) =>
        Apply(src, weight, eps, dst, VectorOps.Use128);

    /// <summary><see cref="Apply(ReadOnlySpan{float}, ReadOnlySpan{float}, float, Span{float})"/> with or without vectors (tests run both).</summary>
    internal static void Apply(ReadOnlySpan<float> src, ReadOnlySpan<float> weight, float eps, Span<float> dst, bool vector)
    {
        if (weight.Length < src.Length || dst.Length < src.Length) throw new ArgumentException("weight or destination shorter than the row");
        double sum = vector ? SumOfSquares128(src) : SumOfSquaresScalar(src);
        float mean = (float)(sum / src.Length);
        float scale = 1.0f / MathF.Sqrt(mean + eps);

        int v = 0;
        if (vector)
        {
            var s = Vector128.Create(scale);
            ref float x = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(src);
            ref float w = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(weight);
            ref float d = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(dst);
            for (; v + 4 <= src.Length; v += 4)
                (Vector128.LoadUnsafe(ref x, (nuint)v) * s * Vector128.LoadUnsafe(ref w, (nuint)v)).StoreUnsafe(ref d, (nuint)v);
        }
        for (; v < src.Length; v++) dst[v] = src[v] * scale * weight[v];
    }

    private static double SumOfSquaresScalar(ReadOnlySpan<float> src)
    {
        double sum = 0;
        for (int i = 0; i < src.Length; i++) sum += src[i] * src[i];
        return sum;
    }

    private static double SumOfSquares128(ReadOnlySpan<float> src)
    {
        ref float x = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(src);
        Vector128<double> s0 = default, s1 = default;
        int i = 0;
        for (; i + 4 <= src.Length; i += 4)
        {
            Vector128<float> v = Vector128.LoadUnsafe(ref x, (nuint)i);
            Vector128<float> p = v * v;
            s0 += Vector128.WidenLower(p);
            s1 += Vector128.WidenUpper(p);
        }
        double sum = Sum(s0 + s1);
        for (; i < src.Length; i++) sum += src[i] * src[i];
        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Sum(Vector128<double> v) => v.GetElement(0) + v.GetElement(1);
}
