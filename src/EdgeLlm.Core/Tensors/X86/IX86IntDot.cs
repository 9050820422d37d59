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
}
