using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace EdgeLlm.Core.Tensors.X86;

/// <summary>
/// The two integer multiply-accumulate steps the 256-bit kernels are built from. Kernels are generic over a struct
/// implementing this, so the JIT emits one specialised copy per instruction set and tests can run each copy.
/// </summary>
internal interface IX86IntDot
{
    /// <summary>acc + Σ of four u8·s8 products per int lane (bytes 4i..4i+3 go to lane i).</summary>
    static abstract Vector256<int> DotU8I8(Vector256<int> acc, Vector256<byte> u, Vector256<sbyte> s);

    /// <summary>acc + Σ of two i16·i16 products per int lane.</summary>
    static abstract Vector256<int> MaddI16(Vector256<int> acc, Vector256<short> a, Vector256<short> b);

    /// <summary>
    /// partial + the u8·s8 products of (u, s), in this instruction set's cheapest running form: int16 pairs on AVX2 (the
    /// pmaddubsw results, added before a single pmaddwd), one int per lane with VNNI. Read it only through
    /// <see cref="Finish"/> or <see cref="FinishScaled"/>.
    /// </summary>
    /// <remarks>
    /// Each call adds up to 2·max|u|·128 to an int16 half-lane on AVX2, and the sum must stay within ±32767: a kernel may
    /// chain at most 8 calls for 4-bit u (≤ 15), 2 for 6-bit u (≤ 63). This is what makes AVX2 cheaper: 8 products per
    /// pmaddubsw and one pmaddwd per chain instead of one per instruction.
    /// </remarks>
    static abstract Vector256<int> Partial(Vector256<int> partial, Vector256<byte> u, Vector256<sbyte> s);

    /// <summary>acc + the per-lane sums of a <see cref="Partial"/> chain.</summary>
    static abstract Vector256<int> Finish(Vector256<int> acc, Vector256<int> partial);

    /// <summary>acc + scale·(per-lane sum of a <see cref="Partial"/> chain), for lane scales 0..255.</summary>
    static abstract Vector256<int> FinishScaled(Vector256<int> acc, Vector256<int> partial, Vector256<int> scale);

    static abstract bool IsSupported { get; }

    static abstract string Name { get; }
}

/// <summary>AVX2: pmaddubsw then pmaddwd by ones. Exact here: every kernel keeps |u·s + u·s| within int16.</summary>
internal readonly struct Avx2IntDot : IX86IntDot
{
    public static bool IsSupported => Avx2.IsSupported && Fma.IsSupported;
    public static string Name => "avx2";

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> DotU8I8(Vector256<int> acc, Vector256<byte> u, Vector256<sbyte> s) =>
        Avx2.Add(acc, Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(u, s), Vector256.Create((short)1)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> MaddI16(Vector256<int> acc, Vector256<short> a, Vector256<short> b) =>
        Avx2.Add(acc, Avx2.MultiplyAddAdjacent(a, b));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Partial(Vector256<int> partial, Vector256<byte> u, Vector256<sbyte> s) =>
        Avx2.Add(partial.AsInt16(), Avx2.MultiplyAddAdjacent(u, s)).AsInt32();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Finish(Vector256<int> acc, Vector256<int> partial) =>
        Avx2.Add(acc, Avx2.MultiplyAddAdjacent(partial.AsInt16(), Vector256.Create((short)1)));

    /// <remarks>pmaddwd against the scale in both int16 halves multiplies and sums the pair in one step.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> FinishScaled(Vector256<int> acc, Vector256<int> partial, Vector256<int> scale) =>
        Avx2.Add(acc, Avx2.MultiplyAddAdjacent(partial.AsInt16(), (scale | Avx2.ShiftLeftLogical(scale, 16)).AsInt16()));
}

/// <summary>AVX-VNNI: vpdpbusd / vpdpwssd do the multiply, the pairwise sums and the accumulate in one instruction.</summary>
internal readonly struct VnniIntDot : IX86IntDot
{
    public static bool IsSupported => AvxVnni.IsSupported && Avx2.IsSupported && Fma.IsSupported;
    public static string Name => "avx-vnni";

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> DotU8I8(Vector256<int> acc, Vector256<byte> u, Vector256<sbyte> s) =>
        AvxVnni.MultiplyWideningAndAdd(acc, u, s);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> MaddI16(Vector256<int> acc, Vector256<short> a, Vector256<short> b) =>
        AvxVnni.MultiplyWideningAndAdd(acc, a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Partial(Vector256<int> partial, Vector256<byte> u, Vector256<sbyte> s) =>
        AvxVnni.MultiplyWideningAndAdd(partial, u, s);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Finish(Vector256<int> acc, Vector256<int> partial) => acc + partial;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> FinishScaled(Vector256<int> acc, Vector256<int> partial, Vector256<int> scale) =>
        acc + Avx2.MultiplyLow(partial, scale);
}
