using EdgeLlm.Core.Model;
using EdgeLlm.Core.Tensors;

namespace EdgeLlm.Core.Tests.Model;

/// <summary>The attention value accumulation at each vector width (arm64 takes 128) gives the scalar loop's bits.</summary>
public class AttentionAccumulateTests
{
    [Theory]
    [InlineData(GgmlType.F16, 256)]
    [InlineData(GgmlType.F16, 128)]
    [InlineData(GgmlType.F32, 256)]
    [InlineData(GgmlType.F32, 128)]
    public void Every_width_equals_the_scalar_loop(GgmlType type, int width)
    {
        var random = new Random(5);
        foreach (int n in new[] { 3, 8, 64, 67, 128 })
        {
            var value = new byte[n * (type == GgmlType.F16 ? 2 : 4)];
            var floats = Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 8 - 4)).ToArray();
            Quants.QuantizeRow(type, floats, value);
            var expected = Enumerable.Range(0, n).Select(_ => (float)random.NextDouble()).ToArray();
            var got = expected.ToArray();
            foreach (float p in new[] { 0.3f, 1e-5f, 0.999f })
            {
                AttentionJob.AccumulateScaled(type, expected, value, p, width: 0);
                AttentionJob.AccumulateScaled(type, got, value, p, width);
            }
            Assert.Equal(expected.Select(BitConverter.SingleToUInt32Bits), got.Select(BitConverter.SingleToUInt32Bits));
        }
    }
}
