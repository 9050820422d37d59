using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace EdgeLlm.Core.Tensors.Arm;

/// <summary>
/// The inner step of the arm64 K-quant prompt tiles (<see cref="InterleavedQ4_KArm"/>, <see cref="InterleavedQ6_KArm"/>):
/// one unpacked chunk of 8 rows × 4 columns (rows 0..3 in <c>q0</c>, 4..7 in <c>q1</c>, a row per 32-bit lane) against
/// quadruplet k of four tokens' activations, into each token's two sums (r<i>t</i>0: rows 0..3, r<i>t</i>1: rows 4..7).
/// </summary>
internal static class FourTokenDots
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Chunk<T>(Vector128<sbyte> q0, Vector128<sbyte> q1,
        Vector128<sbyte> y0, Vector128<sbyte> y1, Vector128<sbyte> y2, Vector128<sbyte> y3, [ConstantExpected(Max = 3)] byte k,
        ref Vector128<int> r00, ref Vector128<int> r01, ref Vector128<int> r10, ref Vector128<int> r11,
        ref Vector128<int> r20, ref Vector128<int> r21, ref Vector128<int> r30, ref Vector128<int> r31) where T : struct, IArmIntDot
    {
        r00 = T.DotLane(r00, q0, y0, k); r01 = T.DotLane(r01, q1, y0, k);
        r10 = T.DotLane(r10, q0, y1, k); r11 = T.DotLane(r11, q1, y1, k);
        r20 = T.DotLane(r20, q0, y2, k); r21 = T.DotLane(r21, q1, y2, k);
        r30 = T.DotLane(r30, q0, y3, k); r31 = T.DotLane(r31, q1, y3, k);
    }
}
