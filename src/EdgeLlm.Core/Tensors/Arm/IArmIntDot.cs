using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;

namespace EdgeLlm.Core.Tensors.Arm;

/// <summary>
/// The one signed int8 multiply-accumulate step the arm64 kernels need. Everything else in those kernels is written with
/// cross-platform <see cref="Vector128"/> operators (which become the obvious NEON instructions on arm64), so the kernels can
/// also run on x64 with <see cref="EmulatedSdot"/> and be tested there.
/// </summary>
internal interface IArmIntDot
{
    /// <summary>acc plus s8·s8 products of <paramref name="a"/> and <paramref name="b"/>, summed into the four int lanes.</summary>
    /// <remarks>Which lane a product lands in differs between implementations; kernels only rely on the total over lanes.</remarks>
    static abstract Vector128<int> Dot(Vector128<int> acc, Vector128<sbyte> a, Vector128<sbyte> b);

    /// <summary>
    /// acc plus s8·s8 products of <paramref name="a"/> with the quadruplet <paramref name="lane"/> of <paramref name="b"/>
    /// (its bytes 4·lane..4·lane+3, the same four in every lane): SDOT's by-element form, so that one load of 16 activation
    /// bytes feeds four steps instead of a broadcast per step. <paramref name="lane"/> must be a constant at the call site.
    /// </summary>
    static abstract Vector128<int> DotLane(Vector128<int> acc, Vector128<sbyte> a, Vector128<sbyte> b, [ConstantExpected(Max = 3)] byte lane);

    /// <summary>
    /// acc plus the s8·s8 products of <paramref name="a0"/>·<paramref name="b0"/> and <paramref name="a1"/>·<paramref name="b1"/>,
    /// where a0 and a1 hold 4-bit values (0..15): small enough that the widening path may sum four products in int16 first.
    /// </summary>
    static abstract Vector128<int> DotNibbles(Vector128<int> acc, Vector128<sbyte> a0, Vector128<sbyte> b0, Vector128<sbyte> a1, Vector128<sbyte> b1);

    static abstract bool IsSupported { get; }

    static abstract string Name { get; }
}

/// <summary>ARMv8.2 SDOT (Cortex-A76, Raspberry Pi 5): lane i += Σ of bytes 4i..4i+3 products, one instruction.</summary>
internal readonly struct SdotArm : IArmIntDot
{
    public static bool IsSupported => Dp.IsSupported;
    public static string Name => "neon-dotprod";

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> Dot(Vector128<int> acc, Vector128<sbyte> a, Vector128<sbyte> b) => Dp.DotProduct(acc, a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> DotLane(Vector128<int> acc, Vector128<sbyte> a, Vector128<sbyte> b, [ConstantExpected(Max = 3)] byte lane) =>
        Dp.DotProductBySelectedQuadruplet(acc, a, b, lane);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> DotNibbles(Vector128<int> acc, Vector128<sbyte> a0, Vector128<sbyte> b0, Vector128<sbyte> a1, Vector128<sbyte> b1) =>
        Dp.DotProduct(Dp.DotProduct(acc, a0, b0), a1, b1);
}

/// <summary>
/// Plain ARMv8 NEON (Cortex-A72, Raspberry Pi 4): smull/smull2 widen the products to int16 (|−128·−128| fits), then
/// sadalp adds adjacent pairs into the int32 lanes.
/// </summary>
internal readonly struct WideningArm : IArmIntDot
{
    public static bool IsSupported => AdvSimd.Arm64.IsSupported;
    public static string Name => "neon";

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> Dot(Vector128<int> acc, Vector128<sbyte> a, Vector128<sbyte> b)
    {
        acc = AdvSimd.AddPairwiseWideningAndAdd(acc, AdvSimd.MultiplyWideningLower(a.GetLower(), b.GetLower()));
        return AdvSimd.AddPairwiseWideningAndAdd(acc, AdvSimd.MultiplyWideningUpper(a, b));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> DotLane(Vector128<int> acc, Vector128<sbyte> a, Vector128<sbyte> b, [ConstantExpected(Max = 3)] byte lane) =>
        Dot(acc, a, Vector128.Create(b.AsInt32().GetElement(lane)).AsSByte());

    /// <summary>
    /// smull, smlal2, smlal, smlal2 into one int16 vector (each lane four products of at most 15·128: no overflow), then one
    /// sadalp: five instructions where two <see cref="Dot"/>s take eight.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> DotNibbles(Vector128<int> acc, Vector128<sbyte> a0, Vector128<sbyte> b0, Vector128<sbyte> a1, Vector128<sbyte> b1)
    {
        Vector128<short> p = AdvSimd.MultiplyWideningLower(a0.GetLower(), b0.GetLower());
        p = AdvSimd.MultiplyWideningUpperAndAdd(p, a0, b0);
        p = AdvSimd.MultiplyWideningLowerAndAdd(p, a1.GetLower(), b1.GetLower());
        p = AdvSimd.MultiplyWideningUpperAndAdd(p, a1, b1);
        return AdvSimd.AddPairwiseWideningAndAdd(acc, p);
    }
}

/// <summary>SDOT semantics in scalar code: lets the arm64 kernels run (slowly) on any CPU, for tests on the x64 dev machine.</summary>
internal readonly struct EmulatedSdot : IArmIntDot
{
    public static bool IsSupported => true;
    public static string Name => "neon-emulated";

    public static Vector128<int> Dot(Vector128<int> acc, Vector128<sbyte> a, Vector128<sbyte> b)
    {
        Span<int> lanes = stackalloc int[4];
        for (int i = 0; i < 4; i++)
        {
            int s = acc.GetElement(i);
            for (int k = 0; k < 4; k++) s += a.GetElement(4 * i + k) * b.GetElement(4 * i + k);
            lanes[i] = s;
        }
        return Vector128.Create(lanes[0], lanes[1], lanes[2], lanes[3]);
    }

    public static Vector128<int> DotLane(Vector128<int> acc, Vector128<sbyte> a, Vector128<sbyte> b, [ConstantExpected(Max = 3)] byte lane) =>
        Dot(acc, a, Vector128.Create(b.AsInt32().GetElement(lane)).AsSByte());

    public static Vector128<int> DotNibbles(Vector128<int> acc, Vector128<sbyte> a0, Vector128<sbyte> b0, Vector128<sbyte> a1, Vector128<sbyte> b1) =>
        Dot(Dot(acc, a0, b0), a1, b1);
}
