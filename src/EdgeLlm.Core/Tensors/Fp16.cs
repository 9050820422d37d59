using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EdgeLlm.Core.Tensors;

/// <summary>IEEE binary16 conversions with the exact results ggml gets (every half is exactly a float; float→half rounds to nearest-even).</summary>
public static class Fp16
{
    // 256 KiB, but the scalar paths only ever touch the entries for block scales actually present in a model,
    // so in practice a few cache lines stay hot. The vector paths below compute instead of looking up.
    private static readonly float[] Table = BuildTable();

    private static float[] BuildTable()
    {
        var t = new float[65536];
        for (int i = 0; i < t.Length; i++) t[i] = ComputeToSingle((ushort)i);
        return t;
    }

    /// <summary>Half bits to float, by table.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ToSingle(ushort bits) => Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(Table), bits);

    /// <summary>
    /// Half bits to float with a few integer/float operations and no memory access: the kernels convert one or two scales
    /// per block, and a table lookup there misses cache whenever scales vary widely. Same algorithm as the vector overload.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ToSingleArithmetic(ushort bits)
    {
        uint w = (uint)bits << 16;
        uint twoW = w + w;
        float normal = BitConverter.UInt32BitsToSingle((twoW >> 4) + 0x70000000u) * 1.92592994e-34f; // × 2^-112
        float sub = BitConverter.UInt32BitsToSingle((twoW >> 17) | 0x3F000000u) - 0.5f;
        uint mag = twoW < 0x08000000u ? BitConverter.SingleToUInt32Bits(sub) : BitConverter.SingleToUInt32Bits(normal);
        return BitConverter.UInt32BitsToSingle((w & 0x80000000u) | mag);
    }

    /// <summary>Half bits to float by bit arithmetic (the table is built from this; kept for tests and vector use).</summary>
    internal static float ComputeToSingle(ushort h)
    {
        uint sign = (uint)(h & 0x8000) << 16;
        uint exp = (uint)(h >> 10) & 0x1F;
        uint mant = (uint)h & 0x3FF;
        if (exp == 0x1F) return BitConverter.UInt32BitsToSingle(sign | 0x7F800000u | (mant << 13)); // inf / nan (payload kept)
        if (exp != 0) return BitConverter.UInt32BitsToSingle(sign | ((exp + 112) << 23) | (mant << 13));
        // Subnormal (or zero): the value is mant * 2^-24, which a float holds exactly.
        float v = mant * (1.0f / 16777216.0f);
        return BitConverter.UInt32BitsToSingle(sign | BitConverter.SingleToUInt32Bits(v));
    }

    /// <summary>Float to half bits, round to nearest-even; overflow gives ±inf, NaN stays NaN (quiet).</summary>
    /// <remarks>Same rounding as F16C's vcvtps2ph / ARM fcvt that ggml uses on its CPU paths.</remarks>
    public static ushort FromSingle(float f)
    {
        uint x = BitConverter.SingleToUInt32Bits(f);
        uint sign = (x >> 16) & 0x8000;
        uint ax = x & 0x7FFFFFFF;
        if (ax > 0x7F800000) return (ushort)(sign | 0x7E00 | ((ax >> 13) & 0x3FF)); // NaN, quiet bit set
        if (ax >= 0x477FF000) return (ushort)(sign | 0x7C00); // rounds to >= 65520: inf
        if (ax < 0x38800000)
        {
            // Result is subnormal or zero: scale so that the half's ulp (2^-24) becomes 1 and let the FPU round (RNE).
            float scaled = BitConverter.UInt32BitsToSingle(ax) * 16777216.0f; // exact: multiplying by a power of two
            // Adding 2^23 forces rounding to an integer in the current (nearest-even) mode.
            float r = (scaled + 8388608.0f) - 8388608.0f;
            return (ushort)(sign | (uint)r);
        }
        // Normal: rebias the exponent and round the 13 dropped mantissa bits to nearest, ties to even.
        uint mantOdd = (ax >> 13) & 1;
        ax += 0x0FFF + mantOdd;
        return (ushort)(sign | ((ax - 0x38000000) >> 13));
    }

    /// <summary>
    /// <see cref="FromSingle(float)"/> of every element, eight at a time with 128-bit vectors where all eight are finite and
    /// below 65520 in magnitude (the KV cache's rows, every token and layer); any other group of eight takes the scalar form.
    /// </summary>
    public static void FromSingle(ReadOnlySpan<float> src, Span<ushort> dst)
    {
        if (dst.Length < src.Length) throw new ArgumentException("destination shorter than source", nameof(dst));
        int i = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            ref float s = ref MemoryMarshal.GetReference(src);
            ref ushort d = ref MemoryMarshal.GetReference(dst);
            var limit = Vector128.Create(65520f);
            for (; i + 8 <= src.Length; i += 8)
            {
                Vector128<float> a = Vector128.LoadUnsafe(ref s, (nuint)i), b = Vector128.LoadUnsafe(ref s, (nuint)i + 4);
                if (!Vector128.LessThanAll(Vector128.Abs(a), limit) || !Vector128.LessThanAll(Vector128.Abs(b), limit))
                {
                    for (int j = i; j < i + 8; j++) dst[j] = FromSingle(src[j]);
                    continue;
                }
                Vector128.Narrow(HalfBits(a), HalfBits(b)).StoreUnsafe(ref d, (nuint)i);
            }
        }
        for (; i < src.Length; i++) dst[i] = FromSingle(src[i]);
    }

    /// <summary><see cref="FromSingle(float)"/>'s two finite cases for four floats below 65520 in magnitude, one half per int lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> HalfBits(Vector128<float> v)
    {
        Vector128<uint> bits = v.AsUInt32();
        Vector128<uint> sign = (bits >>> 16) & Vector128.Create(0x8000u);
        Vector128<uint> ax = bits & Vector128.Create(0x7FFFFFFFu);
        Vector128<uint> normal = (ax + Vector128.Create(0x0FFFu) + ((ax >>> 13) & Vector128<uint>.One) - Vector128.Create(0x38000000u)) >>> 13;
        Vector128<float> scaled = ax.AsSingle() * Vector128.Create(16777216.0f);
        Vector128<uint> sub = Vector128.ConvertToUInt32((scaled + Vector128.Create(8388608.0f)) - Vector128.Create(8388608.0f));
        return sign | Vector128.ConditionalSelect(Vector128.LessThan(ax, Vector128.Create(0x38800000u)), sub, normal);
    }

    /// <summary>
    /// x = ToSingle(FromSingle(x)) for each element, four at a time with 128-bit vectors: what attention does to each
    /// probability before weighting the F16 values. Exact for |x| &lt; 65520 (probabilities are in [0, 1]); larger or
    /// non-finite values are not supported on the vector path.
    /// </summary>
    internal static void RoundToHalfPrecision(Span<float> x, bool vector)
    {
        int i = 0;
        if (vector)
        {
            ref float p = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(x);
            for (; i + 4 <= x.Length; i += 4)
                RoundToHalfPrecision(Vector128.LoadUnsafe(ref p, (nuint)i)).StoreUnsafe(ref p, (nuint)i);
        }
        for (; i < x.Length; i++) x[i] = ToSingle(FromSingle(x[i]));
    }

    /// <summary>
    /// x = ToSingle(FromSingle(x)) · 2¹¹² for each element: a query or probabilities rounded to F16 as attention does, scaled
    /// up for kernels that convert halves without the multiply by 2¹¹² (<see cref="ToSingleScaledDown(Vector128{int})"/>);
    /// every F16 value times 2¹¹² is a finite float, so this is exact. Four at a time when every |x| &lt; 65520; a span with
    /// a larger or non-finite element takes the scalar conversion (infinity, NaN) throughout.
    /// </summary>
    internal static void RoundToHalfPrecisionScaledUp(Span<float> x)
    {
        ref float p = ref MemoryMarshal.GetReference(x);
        int i = 0, vectors = x.Length & ~3;
        // Checked first for the whole span: a call inside the vector loop would make the JIT reload every constant per step.
        bool inRange = true;
        for (; i < vectors; i += 4) inRange &= Vector128.LessThanAll(Vector128.Abs(Vector128.LoadUnsafe(ref p, (nuint)i)), Vector128.Create(65520f));
        if (inRange)
            for (i = 0; i < vectors; i += 4)
                (RoundToHalfPrecision(Vector128.LoadUnsafe(ref p, (nuint)i)) * Vector128.Create(TwoPow112)).StoreUnsafe(ref p, (nuint)i);
        else
            i = 0;
        for (; i < x.Length; i++) x[i] = ToSingle(FromSingle(x[i])) * TwoPow112;
    }

    /// <summary>The vector form of <see cref="FromSingle"/>'s two finite cases, kept as floats (see <see cref="RoundToHalfPrecision(Span{float}, bool)"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> RoundToHalfPrecision(Vector128<float> v)
    {
        Vector128<uint> bits = v.AsUInt32();
        Vector128<uint> sign = bits & Vector128.Create(0x80000000u);
        Vector128<uint> ax = bits & Vector128.Create(0x7FFFFFFFu);
        // Normal halves: round the 13 dropped mantissa bits to nearest, ties to even, in place.
        Vector128<uint> normal = (ax + Vector128.Create(0x0FFFu) + ((ax >>> 13) & Vector128<uint>.One)) & Vector128.Create(0xFFFFE000u);
        // Subnormal halves: multiples of 2^-24, rounded by the FPU (nearest-even) when 2^23 is added at the scale of 1.
        Vector128<float> scaled = ax.AsSingle() * Vector128.Create(16777216.0f);
        Vector128<float> sub = ((scaled + Vector128.Create(8388608.0f)) - Vector128.Create(8388608.0f)) * Vector128.Create(1.0f / 16777216.0f);
        Vector128<uint> isSub = Vector128.LessThan(ax, Vector128.Create(0x38800000u));
        return (sign | Vector128.ConditionalSelect(isSub, sub.AsUInt32(), normal)).AsSingle();
    }

    /// <summary>2¹¹²: rebiases a half's exponent (15) to a float's (127); see <see cref="ToSingleScaledDown(Vector128{int})"/>.</summary>
    internal const float TwoPow112 = 5.192296858534828e33f;

    /// <summary>Sign-extended half bits, one per int lane, to the floats half·2⁻¹¹², exactly, subnormal halves included.</summary>
    /// <remarks>
    /// The bits are shifted into a float's places; sign extension leaves copies of the sign in bits 28-30, which the mask
    /// clears. Multiplying by <see cref="TwoPow112"/> gives the half's value (<see cref="ToSingleByShift(Vector128{int})"/>),
    /// or a kernel folds 2¹¹² into another factor. For a subnormal half that multiply takes a subnormal float: free on
    /// Cortex-A and Zen cores, a ~100-cycle microcode assist on Intel, which is why x64 K-quant kernels use
    /// <see cref="ToSingleLow"/> instead.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> ToSingleScaledDown(Vector128<int> h) => ((h << 13) & Vector128.Create(unchecked((int)0x8FFFE000))).AsSingle();

    /// <inheritdoc cref="ToSingleScaledDown(Vector128{int})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> ToSingleScaledDown(Vector256<int> h) => ((h << 13) & Vector256.Create(unchecked((int)0x8FFFE000))).AsSingle();

    /// <summary>Sign-extended half bits, one per int lane, to the floats, exactly (see <see cref="ToSingleScaledDown(Vector128{int})"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> ToSingleByShift(Vector128<int> h) => ToSingleScaledDown(h) * Vector128.Create(TwoPow112);

    /// <inheritdoc cref="ToSingleByShift(Vector128{int})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> ToSingleByShift(Vector256<int> h) => ToSingleScaledDown(h) * Vector256.Create(TwoPow112);

    /// <summary>Eight halves to eight floats, exactly, with integer/float vector arithmetic only (no F16C needed).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> ToSingle(Vector128<ushort> h) => ToSingleLow(Vector256.WidenLower(Vector256.Create(h, h)).AsInt32());

    /// <summary>The halves in the low 16 bits of each int lane to floats, exactly (the high bits are ignored).</summary>
    /// <remarks>
    /// The half is moved to the top of a 32-bit word. Normals (and inf/nan) become a float by shifting exponent and mantissa
    /// into place, adding 224 to the exponent field and multiplying by 2^-112, which rebias from 15 to 127 and keep inf/nan
    /// (exponent 255) as they are. Subnormals are built as (0.5 + mant*2^-24) - 0.5. The FPU only ever sees normal floats.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> ToSingleLow(Vector256<int> lanes)
    {
        Vector256<uint> w = lanes.AsUInt32() << 16;
        Vector256<uint> sign = w & Vector256.Create(0x80000000u);
        Vector256<uint> twoW = w + w;
        Vector256<float> normal = ((twoW >>> 4) + Vector256.Create(0x70000000u)).AsSingle()
                                  * Vector256.Create(BitConverter.UInt32BitsToSingle(0x07800000u));
        Vector256<float> sub = ((twoW >>> 17) | Vector256.Create(0x3F000000u)).AsSingle() - Vector256.Create(0.5f);
        Vector256<uint> isSub = Vector256.LessThan(twoW, Vector256.Create(0x08000000u));
        Vector256<uint> mag = Vector256.ConditionalSelect(isSub, sub.AsUInt32(), normal.AsUInt32());
        return (sign | mag).AsSingle();
    }

    /// <summary>Four halves (the low four lanes of <paramref name="h"/>) to four floats, exactly: the 128-bit form for arm64.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> ToSingleLower(Vector128<ushort> h) => ToSingleLow(Vector128.WidenLower(h).AsInt32());

    /// <summary>The upper four halves of <paramref name="h"/> to floats, exactly.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> ToSingleUpper(Vector128<ushort> h) => ToSingleLow(Vector128.WidenUpper(h).AsInt32());

    /// <inheritdoc cref="ToSingleLow(Vector256{int})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> ToSingleLow(Vector128<int> lanes)
    {
        Vector128<uint> w = lanes.AsUInt32() << 16;
        Vector128<uint> sign = w & Vector128.Create(0x80000000u);
        Vector128<uint> twoW = w + w;
        Vector128<float> normal = ((twoW >>> 4) + Vector128.Create(0x70000000u)).AsSingle()
                                  * Vector128.Create(BitConverter.UInt32BitsToSingle(0x07800000u));
        Vector128<float> sub = ((twoW >>> 17) | Vector128.Create(0x3F000000u)).AsSingle() - Vector128.Create(0.5f);
        Vector128<uint> isSub = Vector128.LessThan(twoW, Vector128.Create(0x08000000u));
        Vector128<uint> mag = Vector128.ConditionalSelect(isSub, sub.AsUInt32(), normal.AsUInt32());
        return (sign | mag).AsSingle();
    }
}
