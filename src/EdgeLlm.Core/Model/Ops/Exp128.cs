using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace EdgeLlm.Core.Model.Ops;

/// <summary>
/// e^x four floats at a time in float arithmetic only, for softmax and SwiGLU on arm64: about 20 instructions per vector,
/// where <see cref="Vector128.Exp(Vector128{float})"/> works in doubles and takes ~56 (counted on the Cortex-A76, it was
/// ~14 instructions per element of every softmax and SwiGLU).
/// </summary>
/// <remarks>
/// x = n·ln 2 + z with n = round(x·log₂e) and |z| ≤ ln 2 / 2 (ln 2 split in two so that n·ln 2 is exact to float precision),
/// e^z by a degree-7 polynomial with the classic minimax coefficients of single-precision expf, and 2ⁿ put in the exponent
/// bits. Within 2 ulp of <see cref="MathF.Exp"/> (tests check 1e-6 relative). Above 88.376 the result is +∞ and below
/// −87.336 it is 0, where MathF.Exp still gives the largest finite floats and subnormals: a softmax weight or a SiLU
/// cannot tell these apart (1 + 2.4e38 or 1 + 1e-38). NaN stays NaN.
/// </remarks>
internal static class Exp128
{
    private const float Log2E = 1.44269504088896341f;
    private const float Ln2High = 0.693359375f; // exact in 10 bits: n·Ln2High is exact for |n| ≤ 2¹⁴
    private const float Ln2Low = -2.12194440e-4f;
    private const float MaxArgument = 88.3762626647949f; // above: 2ⁿ would need n = 128
    private const float MinArgument = -87.3365447505531f; // below: the result would be subnormal

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Exp(Vector128<float> x)
    {
        Vector128<float> n = Vector128.Round(x * Vector128.Create(Log2E));
        Vector128<float> z = Vector128.FusedMultiplyAdd(n, Vector128.Create(-Ln2High), x);
        z = Vector128.FusedMultiplyAdd(n, Vector128.Create(-Ln2Low), z);
        Vector128<float> p = Vector128.FusedMultiplyAdd(Vector128.Create(1.9875691500E-4f), z, Vector128.Create(1.3981999507E-3f));
        p = Vector128.FusedMultiplyAdd(p, z, Vector128.Create(8.3334519073E-3f));
        p = Vector128.FusedMultiplyAdd(p, z, Vector128.Create(4.1665795894E-2f));
        p = Vector128.FusedMultiplyAdd(p, z, Vector128.Create(1.6666665459E-1f));
        p = Vector128.FusedMultiplyAdd(p, z, Vector128.Create(5.0000001201E-1f));
        Vector128<float> y = Vector128.FusedMultiplyAdd(p, z * z, z) + Vector128<float>.One;
        // 2ⁿ for n in [-126, 127]: (n + 127) in the exponent field. Outside the arguments' range n is clamped so the shift
        // cannot wrap, and the selects below give the limits.
        Vector128<int> e = Vector128.ConvertToInt32(Vector128.Clamp(n, Vector128.Create(-126f), Vector128.Create(127f)));
        Vector128<float> result = y * ((e + Vector128.Create(127)) << 23).AsSingle();
        result = Vector128.ConditionalSelect(Vector128.GreaterThan(x, Vector128.Create(MaxArgument)), Vector128.Create(float.PositiveInfinity), result);
        return Vector128.ConditionalSelect(Vector128.LessThan(x, Vector128.Create(MinArgument)), Vector128<float>.Zero, result);
    }
}
