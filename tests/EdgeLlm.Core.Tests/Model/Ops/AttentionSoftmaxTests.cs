using EdgeLlm.Core.Model;
using EdgeLlm.Core.Model.Ops;
using EdgeLlm.Core.Tensors;

namespace EdgeLlm.Core.Tests.Model.Ops;

/// <summary>The grouped attention's fused softmax against the three steps it replaces, bit for bit.</summary>
public class AttentionSoftmaxTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(1402)]
    public void ToHalfProbabilitiesScaledUp_gives_the_bits_of_scale_softmax_and_rounding(int n)
    {
        var rng = new Random(n);
        float[] x = Enumerable.Range(0, n).Select(i => i % 13 == 5 ? float.NegativeInfinity : (float)((rng.NextDouble() * 2 - 1) * 60)).ToArray();
        if (n > 1) x[n / 2] = 40f; // one dominant score: most probabilities round to small halves or subnormals
        float[] expected = (float[])x.Clone();
        VectorMath.Scale(expected, 0.125f);
        Softmax.InPlace(expected, vector: true);
        Fp16.RoundToHalfPrecisionScaledUp(expected);

        Softmax.ToHalfProbabilitiesScaledUp(x, 0.125f);
        for (int i = 0; i < n; i++)
            Assert.True(BitConverter.SingleToUInt32Bits(expected[i]) == BitConverter.SingleToUInt32Bits(x[i]), $"[{i}]: {x[i]:R}, expected {expected[i]:R}");
        Assert.Equal(1.0, x.Sum(p => (double)p / Fp16.TwoPow112), 2);
    }
}
