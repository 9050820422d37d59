using EdgeLlm.Bench;

namespace EdgeLlm.Tests.Model;

public class MemoryBandwidthProbeTests
{
    [Theory]
    [InlineData(4096)]
    [InlineData(4096 + 8 * 3)] // a tail shorter than one iteration of the wide loop
    [InlineData(64)]
    public unsafe void The_read_loop_reads_every_word_of_its_slice(int length)
    {
        var words = new long[length / 8];
        var random = new Random(7);
        for (int i = 0; i < words.Length; i++) words[i] = random.NextInt64(-1_000_000, 1_000_000);
        long expected = words.Sum();
        fixed (long* p = words)
            Assert.Equal(expected, MemoryBandwidthProbe.SumSlice((byte*)p, length));
    }

    [Fact]
    public void A_small_probe_measures_a_positive_figure_with_several_threads()
    {
        using var probe = new MemoryBandwidthProbe(8L << 20);
        Assert.True(probe.Measure(threads: 3, passes: 1) > 0);
        Assert.Contains(MemoryBandwidthProbe.VectorBits, new[] { 128, 256, 512 });
    }
}
