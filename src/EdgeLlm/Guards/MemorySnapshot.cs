namespace EdgeLlm.Guards;

/// <summary>Memory figures that decide whether a model fits: the system's and the service's cgroup's.</summary>
/// <param name="MemAvailable">MemAvailable from /proc/meminfo, bytes.</param>
/// <param name="CgroupLimit">memory.max (v2) or memory.limit_in_bytes (v1), bytes; null when unlimited or unknown.</param>
/// <param name="CgroupUsage">memory.current (v2) or memory.usage_in_bytes (v1), bytes; null when unknown.</param>
public sealed record MemorySnapshot(long MemAvailable, long? CgroupLimit, long? CgroupUsage)
{
    /// <summary>What this process may still use: the smaller of the system's available memory and the cgroup's headroom.</summary>
    public long Usable => CgroupLimit is long limit ? Math.Min(MemAvailable, Math.Max(0, limit - (CgroupUsage ?? 0))) : MemAvailable;
}
