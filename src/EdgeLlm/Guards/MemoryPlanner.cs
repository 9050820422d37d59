using System.Globalization;

namespace EdgeLlm.Guards;

/// <summary>
/// Decides, before mapping, whether model + KV cache + scratch fit in the memory this process may use, and if
/// not, shrinks the context to what fits or refuses. Being OOM-killed mid-answer, or thrashing a microSD card
/// through swap, is worse for a kiosk than a smaller context announced at start.
/// </summary>
public static class MemoryPlanner
{
    /// <summary>Smallest context worth running with after shrinking.</summary>
    public const int MinimumContext = 256;

    /// <summary>Headroom left for the rest of the system and the runtime.</summary>
    public const long Reserve = 64L << 20;

    public static MemoryPlan Plan(long modelBytes, long kvBytesPerToken, int requestedContext, long scratchBytes, MemorySnapshot? memory, bool shrinkToFit)
    {
        long kvBytes = kvBytesPerToken * requestedContext;
        if (memory is null)
            return new MemoryPlan(MemoryVerdict.Unchecked, requestedContext, modelBytes, kvBytes, scratchBytes, -1,
                "memory figures unavailable (meminfo cannot be read; under systemd, ProcSubset=pid hides it): not checked, and requests are not refused on low memory");

        long usable = memory.Usable - Reserve;
        long needed = modelBytes + kvBytes + scratchBytes;
        string Mb(long b) => (b / 1048576.0).ToString("F0", CultureInfo.InvariantCulture) + " MiB";
        if (needed <= usable)
            return new MemoryPlan(MemoryVerdict.Fits, requestedContext, modelBytes, kvBytes, scratchBytes, usable,
                $"model {Mb(modelBytes)} + KV cache {Mb(kvBytes)} ({requestedContext} tokens) + scratch {Mb(scratchBytes)} = {Mb(needed)} fits in {Mb(usable)} usable");

        long roomForKv = usable - modelBytes - scratchBytes;
        int fitting = kvBytesPerToken > 0 ? (int)Math.Min(requestedContext, Math.Max(0, roomForKv / kvBytesPerToken)) : requestedContext;
        string numbers = $"model {Mb(modelBytes)} + KV cache {Mb(kvBytes)} ({requestedContext} tokens) + scratch {Mb(scratchBytes)} = {Mb(needed)} " +
                         $"but only {Mb(Math.Max(0, usable))} is usable (MemAvailable {Mb(memory.MemAvailable)}" +
                         (memory.CgroupLimit is long l ? $", cgroup limit {Mb(l)}, cgroup usage {Mb(memory.CgroupUsage ?? 0)}" : "") + $", reserve {Mb(Reserve)})";
        if (shrinkToFit && fitting >= MinimumContext)
            return new MemoryPlan(MemoryVerdict.Shrunk, fitting, modelBytes, kvBytesPerToken * fitting, scratchBytes, usable,
                $"{numbers}: context shrunk from {requestedContext} to {fitting} tokens");
        return new MemoryPlan(MemoryVerdict.Refused, fitting, modelBytes, kvBytes, scratchBytes, usable,
            $"{numbers}: " + (shrinkToFit ? $"even {MinimumContext} tokens of context do not fit" : "refusing to start (set memory_on_overcommit to \"shrink\" to run with a smaller context)"));
    }
}
