using EdgeLlm.Bench;

namespace EdgeLlm.Tests.Model;

public class GenerationEfficiencyTests
{
    [Fact]
    public void A_memory_bound_run_is_its_fraction_of_the_ceiling()
    {
        var (fraction, note) = GenerationEfficiency.Compute(600_000_000, 20, 30);
        Assert.Equal(0.4, fraction, 9);
        Assert.Null(note);
    }

    [Fact]
    public void A_ratio_above_the_ceiling_is_capped_at_one_and_says_so()
    {
        // A 13 MB model at 4,000 tok/s "reads" 52 GB/s: it is served from cache, not from the 30 GB/s memory.
        var (fraction, note) = GenerationEfficiency.Compute(13_000_000, 4000, 30);
        Assert.Equal(1.0, fraction);
        Assert.NotNull(note);
        Assert.StartsWith("measured 1.73x the probe's 30.0 GB/s", note);
        Assert.Contains("capped at 1", note);
    }

    [Theory]
    [InlineData(0, 30)]
    [InlineData(10, 0)]
    public void Without_generation_or_a_probe_figure_there_is_no_fraction(double tps, double gbps) =>
        Assert.Equal((0.0, (string?)null), GenerationEfficiency.Compute(600_000_000, tps, gbps));
}
