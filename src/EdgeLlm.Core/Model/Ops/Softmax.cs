using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EdgeLlm.Core.Model.Ops;

/// <summary>Numerically stable softmax, normalised with a double-precision sum like ggml.</summary>
public static class Softmax
{
    public static void InPlace(Span<float> x) => InPlace(x, VectorOps.Use128);

    /// <summary>
    /// With 128-bit vectors (arm64's width, where attention runs this over every visible key of every head): the max, the
    /// exponentials (<see cref="Exp128"/>, within 2 ulp of <see cref="MathF.Exp"/>, as ggml's
    /// ggml_v_expf is of expf), the double sum (float exponentials widened) and the scaling four at a time.
    /// </summary>
    internal static void InPlace(Span<float> x, bool vector)
    {
        int n = x.Length, i = 0;
        if (!vector || n < 4)
        {
            InPlaceScalar(x);
            return;
        }
        float inv = ExponentialsScaled(x, 1f);
        ref float p = ref MemoryMarshal.GetReference(x);
        var iv = Vector128.Create(inv);
        for (; i + 4 <= n; i += 4) (Vector128.LoadUnsafe(ref p, (nuint)i) * iv).StoreUnsafe(ref p, (nuint)i);
        for (; i < n; i++) x[i] *= inv;
    }

    /// <summary>
    /// The vector softmax's first two passes, for x·<paramref name="scale"/> (exact when the scale is 1): the max, then
    /// x[i] = e^(x[i]·scale − max) with their sum in doubles. Returns 1 / sum as a float, which the caller's last pass applies.
    /// </summary>
    private static float ExponentialsScaled(Span<float> x, float scale)
    {
        int n = x.Length, vectors = n & ~3, i;
        ref float p = ref MemoryMarshal.GetReference(x);
        var s = Vector128.Create(scale);
        var m = Vector128.Create(float.NegativeInfinity);
        for (i = 0; i < vectors; i += 4) m = Vector128.Max(m, Vector128.LoadUnsafe(ref p, (nuint)i) * s);
        float max = MathF.Max(MathF.Max(m.GetElement(0), m.GetElement(1)), MathF.Max(m.GetElement(2), m.GetElement(3)));
        for (i = vectors; i < n; i++) if (x[i] * scale > max) max = x[i] * scale;

        var mv = Vector128.Create(max);
        Vector128<double> s0 = default, s1 = default;
        for (i = 0; i < vectors; i += 4)
        {
            Vector128<float> e = Exp128.Exp(Vector128.LoadUnsafe(ref p, (nuint)i) * s - mv);
            e.StoreUnsafe(ref p, (nuint)i);
            s0 += Vector128.WidenLower(e);
            s1 += Vector128.WidenUpper(e);
        }
        Vector128<double> sv = s0 + s1;
        double sum = sv.GetElement(0) + sv.GetElement(1);
        for (i = vectors; i < n; i++)
        {
            float e = MathF.Exp(x[i] * scale - max);
            x[i] = e;
            sum += e;
        }
        return (float)(1.0 / sum);
    }

    /// <summary>
    /// Attention's probabilities for arm64's grouped kernels (<see cref="Tensors.Generic.HalfRowsGrouped128"/>): the softmax of
    /// x·<paramref name="scale"/>, each probability rounded to F16 precision and multiplied by 2¹¹², in three passes over x
    /// instead of five. The same bits as <see cref="VectorMath.Scale"/>, <see cref="InPlace(Span{float}, bool)"/> with vectors
    /// and <see cref="Tensors.Fp16.RoundToHalfPrecisionScaledUp"/> one after the other, which rows shorter than four take.
    /// </summary>
    internal static void ToHalfProbabilitiesScaledUp(Span<float> x, float scale)
    {
        int n = x.Length, vectors = n & ~3, i;
        if (n < 4)
        {
            VectorMath.Scale(x, scale);
            InPlace(x, vector: true);
            Tensors.Fp16.RoundToHalfPrecisionScaledUp(x);
            return;
        }
        float inv = ExponentialsScaled(x, scale);
        ref float p = ref MemoryMarshal.GetReference(x);
        var iv = Vector128.Create(inv);
        // Probabilities are in [0, 1], where the vector rounding is exact (a NaN sum makes garbage either way).
        for (i = 0; i < vectors; i += 4)
            (Tensors.Fp16.RoundToHalfPrecision(Vector128.LoadUnsafe(ref p, (nuint)i) * iv) * Vector128.Create(Tensors.Fp16.TwoPow112)).StoreUnsafe(ref p, (nuint)i);
        for (i = vectors; i < n; i++) x[i] = Tensors.Fp16.ToSingle(Tensors.Fp16.FromSingle(x[i] * inv)) * Tensors.Fp16.TwoPow112;
    }

    /// <summary>
    /// <see cref="ToHalfProbabilitiesScaledUp"/> for scores with the heads in lanes (<see cref="Tensors.Generic.HalfRowsGroupLanes128"/>):
    /// x[r·lanes + g] is row r's score for head g, and each head (lane) gets its own softmax over the rows. The same max,
    /// exponentials and rounding per element; each lane's double sum runs in row order where the per-head form sums pairs of
    /// lanes, so 1/sum may differ in its last bit, and a probability then by one F16 step at most.
    /// </summary>
    internal static unsafe void ToHalfProbabilitiesScaledUpInLanes(float* x, int rows, int lanes, float scale)
    {
        var s = Vector128.Create(scale);
        var twoPow112 = Vector128.Create(Tensors.Fp16.TwoPow112);
        for (float* column = x, columnsEnd = x + lanes; column < columnsEnd; column += 4)
        {
            float* end = column + (nint)rows * lanes;
            var m = Vector128.Create(float.NegativeInfinity);
            for (float* p = column; p < end; p += lanes) m = Vector128.Max(m, Vector128.Load(p) * s);
            Vector128<double> s0 = default, s1 = default;
            for (float* p = column; p < end; p += lanes)
            {
                Vector128<float> e = Exp128.Exp(Vector128.Load(p) * s - m);
                e.Store(p);
                s0 += Vector128.WidenLower(e);
                s1 += Vector128.WidenUpper(e);
            }
            Vector128<float> inv = Vector128.Narrow(Vector128<double>.One / s0, Vector128<double>.One / s1);
            for (float* p = column; p < end; p += lanes)
                (Tensors.Fp16.RoundToHalfPrecision(Vector128.Load(p) * inv) * twoPow112).Store(p);
        }
    }

    private static void InPlaceScalar(Span<float> x)
    {
        float max = float.NegativeInfinity;
        foreach (float v in x) if (v > max) max = v;
        double sum = 0;
        for (int i = 0; i < x.Length; i++)
        {
            float e = MathF.Exp(x[i] - max);
            x[i] = e;
            sum += e;
        }
        float inv = (float)(1.0 / sum);
        for (int i = 0; i < x.Length; i++) x[i] *= inv;
    }
}
