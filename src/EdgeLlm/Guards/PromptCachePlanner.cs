using System.Globalization;
using EdgeLlm.Core.Generation;

namespace EdgeLlm.Guards;

/// <summary>
/// Sizes the prompt cache from the memory left once the model, its KV cache and scratch are counted (the memory guard's
/// <see cref="MemoryPlan"/>), so that its slots can never push the process into the OOM killer: whatever the settings
/// ask, the slots get at most half of what is left.
/// </summary>
public static class PromptCachePlanner
{
    /// <summary>Slots the cache gets by default when memory allows: enough for a few alternating clients.</summary>
    public const int DefaultMaxSlots = 4;

    /// <summary>Slots the cache gets by default even with little memory (the minimum: two alternating clients).</summary>
    public const int MinimumSlots = 2;

    /// <summary>Without memory figures the default budget is this (the guard cannot check anything then).</summary>
    public const long UncheckedBytes = 256L << 20;

    /// <summary>A prefill that took this long has its slot written to disk at once, in the background.</summary>
    public static readonly TimeSpan PersistAfter = TimeSpan.FromSeconds(2);

    /// <param name="slots">prompt_cache_slots, null = default.</param>
    /// <param name="bytes">prompt_cache_mb in bytes, null = default.</param>
    /// <param name="fullSlotBytes">A slot of a whole context: the KV cache's size.</param>
    public static (PromptCacheLimits Limits, string Message) Plan(int? slots, long? bytes, long fullSlotBytes, MemoryPlan memory)
    {
        // Small models have slots of a fraction of a MiB: one decimal below 10 MiB, so that no size reads "0 MiB".
        string Mb(long b) => (b / 1048576.0).ToString(b < 10 << 20 ? "F1" : "F0", CultureInfo.InvariantCulture) + " MiB";
        bool checkedMemory = memory.Verdict != MemoryVerdict.Unchecked && memory.UsableBytes >= 0;
        long left = checkedMemory ? Math.Max(0, memory.UsableBytes - memory.ModelBytes - memory.KvBytes - memory.ScratchBytes) : -1;
        long cap = checkedMemory ? left / 2 : long.MaxValue;
        int count = slots ?? MinimumSlots;
        if (slots is null && fullSlotBytes > 0)
        {
            long room = checkedMemory ? cap : UncheckedBytes;
            count = (int)Math.Clamp(room / fullSlotBytes, MinimumSlots, DefaultMaxSlots);
        }
        long budget = bytes ?? Math.Min(checkedMemory ? cap : UncheckedBytes, count * fullSlotBytes);
        string note = "";
        if (budget > cap)
        {
            note = $" (prompt_cache_mb {Mb(budget)} shrunk to half of the {Mb(left)} left)";
            budget = cap;
        }
        if (count == 0 || budget == 0)
            return (new PromptCacheLimits(0, 0, PersistAfter), "prompt cache: off (only the last request's prefix is reused)" + note);
        string where = checkedMemory ? $"{Mb(left)} left after the model" : "memory not checked";
        return (new PromptCacheLimits(count, budget, PersistAfter),
            $"prompt cache: {count} slots, up to {Mb(budget)} (a whole-context slot is {Mb(fullSlotBytes)}; {where}){note}");
    }
}
