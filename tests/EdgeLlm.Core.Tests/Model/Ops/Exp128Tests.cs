using System.Runtime.Intrinsics;
using EdgeLlm.Core.Model.Ops;

namespace EdgeLlm.Core.Tests.Model.Ops;

/// <summary>The float-only vector exponential that softmax and SwiGLU use on arm64, against <see cref="MathF.Exp"/>.</summary>
public class Exp128Tests
{
    private static float Exp(float x) => Exp128.Exp(Vector128.Create(x)).ToScalar();

    private static long UlpDistance(float a, float b)
    {
        int ia = BitConverter.SingleToInt32Bits(a), ib = BitConverter.SingleToInt32Bits(b);
        return Math.Abs((long)ia - ib);
    }

    [Fact]
    public void Is_within_two_ulp_of_MathF_Exp_over_its_whole_range()
    {
        long worst = 0;
        float worstAt = 0;
        // Every 4099th float from -87.33 to 88.37: both signs, tiny arguments, halfway points of n.
        for (float x = -87.33f; x < 88.37f; x = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(x) + (x < 0 ? -4099 : 4099)))
        {
            if (x < 0 && x > -1e-30f) x = 1e-30f; // stepping down the negative floats reached zero: go on with the positives
            long d = UlpDistance(Exp(x), MathF.Exp(x));
            if (d > worst) (worst, worstAt) = (d, x);
        }
        Assert.True(worst <= 2, $"{worst} ulp at {worstAt:R}: {Exp(worstAt):R} vs {MathF.Exp(worstAt):R}");
    }

    [Fact]
    public void Gives_infinity_zero_and_NaN_at_the_limits()
    {
        Assert.Equal(float.PositiveInfinity, Exp(89f));
        Assert.Equal(float.PositiveInfinity, Exp(float.PositiveInfinity));
        Assert.Equal(0f, Exp(-88f));
        Assert.Equal(0f, Exp(float.NegativeInfinity));
        Assert.True(float.IsNaN(Exp(float.NaN)));
        Assert.Equal(1f, Exp(0f));
        Assert.Equal(MathF.Exp(88.3f), Exp(88.3f), 2e-7f * MathF.Exp(88.3f));
        Assert.Equal(MathF.Exp(-87.3f), Exp(-87.3f), 2e-7f * MathF.Exp(-87.3f));
    }

    [Fact]
    public void Each_lane_is_its_own_exponential()
    {
        var x = Vector128.Create(-1f, 0.5f, 10f, -20f);
        Vector128<float> e = Exp128.Exp(x);
        for (int i = 0; i < 4; i++) Assert.True(UlpDistance(e[i], MathF.Exp(x[i])) <= 2, $"lane {i}");
    }
}
