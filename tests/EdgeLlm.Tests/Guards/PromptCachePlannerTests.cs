using EdgeLlm.Guards;

namespace EdgeLlm.Tests.Guards;

/// <summary>The prompt cache gets at most half of the memory the model and its KV cache leave: never an OOM.</summary>
public sealed class PromptCachePlannerTests
{
    private const long MiB = 1L << 20;

    private static MemoryPlan Fits(long usable) =>
        new(MemoryVerdict.Fits, 2048, 700 * MiB, 44 * MiB, 20 * MiB, usable, "fits");

    [Fact]
    public void Default_slots_follow_the_free_memory_between_two_and_four()
    {
        long slot = 44 * MiB;
        var (plenty, message) = PromptCachePlanner.Plan(null, null, slot, Fits(4096 * MiB));
        Assert.Equal((4, 4 * slot), (plenty.Slots, plenty.Bytes));
        Assert.Contains("4 slots, up to 176 MiB", message);
        Assert.Contains("left after the model", message);

        // 100 MiB left: half is 50 MiB, one whole-context slot; still two slots (shorter prefixes), within 50 MiB.
        var (tight, _) = PromptCachePlanner.Plan(null, null, slot, Fits((764 + 100) * MiB));
        Assert.Equal(2, tight.Slots);
        Assert.Equal(50 * MiB, tight.Bytes);
    }

    [Fact]
    public void An_explicit_budget_larger_than_half_of_what_is_left_is_shrunk_and_said_so()
    {
        var (limits, message) = PromptCachePlanner.Plan(3, 1000 * MiB, 44 * MiB, Fits((764 + 200) * MiB));
        Assert.Equal((3, 100 * MiB), (limits.Slots, limits.Bytes));
        Assert.Contains("prompt_cache_mb 1000 MiB shrunk to half of the 200 MiB left", message);
    }

    [Fact]
    public void Zero_slots_or_no_memory_left_turn_the_cache_off()
    {
        Assert.Equal(0, PromptCachePlanner.Plan(0, null, 44 * MiB, Fits(4096 * MiB)).Limits.Slots);
        var (full, message) = PromptCachePlanner.Plan(null, null, 44 * MiB, Fits(764 * MiB));
        Assert.Equal(0, full.Slots);
        Assert.Contains("off", message);
    }

    [Fact]
    public void Without_memory_figures_the_budget_is_fixed()
    {
        var unchecked_ = new MemoryPlan(MemoryVerdict.Unchecked, 2048, 700 * MiB, 44 * MiB, 20 * MiB, -1, "unchecked");
        var (limits, message) = PromptCachePlanner.Plan(null, null, 44 * MiB, unchecked_);
        Assert.Equal((4, 176 * MiB), (limits.Slots, limits.Bytes));
        Assert.Contains("memory not checked", message);
        Assert.Equal(PromptCachePlanner.UncheckedBytes, PromptCachePlanner.Plan(null, null, 200 * MiB, unchecked_).Limits.Bytes);
    }
}
