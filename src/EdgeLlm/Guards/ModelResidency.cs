using System.Runtime.InteropServices;

namespace EdgeLlm.Guards;

/// <summary>Optional ways to get the mapped model into RAM early and keep it there: prefetch with progress, and mlock.</summary>
/// <remarks>
/// A microSD card reads 40-90 MB/s, so the first pass over a 4 GB model takes a minute; prefetching at start moves
/// that minute from the first answer to the boot, with visible progress. mlock keeps the kernel from dropping the
/// pages under memory pressure, which would otherwise turn into re-reads from the card mid-answer.
/// </remarks>
public static unsafe partial class ModelResidency
{
    private const int RlimitMemlock = 8; // Linux RLIMIT_MEMLOCK
    private const int MadvWillNeed = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetRLimit(int resource, out RLimit limit);

    [LibraryImport("libc", EntryPoint = "mlock", SetLastError = true)]
    private static partial int MLock(void* address, nuint length);

    [LibraryImport("libc", EntryPoint = "madvise", SetLastError = true)]
    private static partial int MAdvise(void* address, nuint length, int advice);

    /// <summary>RLIMIT_MEMLOCK's soft limit in bytes (ulong.MaxValue = unlimited), or null if it cannot be read.</summary>
    public static ulong? MemlockLimit()
    {
        try
        {
            return GetRLimit(RlimitMemlock, out var limit) == 0 ? limit.Current : null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Locks [start, start+length) in RAM; returns null on success, or a message saying why not and how to fix it.</summary>
    public static string? TryLock(byte* start, long length)
    {
        ulong? limit = MemlockLimit();
        if (limit is ulong l && l != ulong.MaxValue && l < (ulong)length)
            return $"mlock skipped: RLIMIT_MEMLOCK is {l / 1048576} MiB but the model needs {length / 1048576} MiB " +
                   "(set LimitMEMLOCK=infinity in the systemd unit, or 'ulimit -l unlimited')";
        if (MLock(start, (nuint)length) != 0)
            return $"mlock failed: {Marshal.GetLastPInvokeErrorMessage()} (errno {Marshal.GetLastPInvokeError()})";
        return null;
    }

    /// <summary>Asks the kernel to read ahead, then touches every page in order, reporting whole percentages.</summary>
    public static void Prefetch(byte* start, long length, Action<int>? progress, CancellationToken cancellation = default)
    {
        MAdvise(start, (nuint)length, MadvWillNeed);
        const int page = 4096;
        int lastPercent = -1;
        byte sink = 0;
        for (long offset = 0; offset < length; offset += page)
        {
            sink ^= start[offset];
            int percent = (int)(offset * 100 / length);
            if (percent != lastPercent && percent % 10 == 0)
            {
                lastPercent = percent;
                progress?.Invoke(percent);
                if (cancellation.IsCancellationRequested) return;
            }
        }
        progress?.Invoke(100);
        GC.KeepAlive(sink);
    }
}
