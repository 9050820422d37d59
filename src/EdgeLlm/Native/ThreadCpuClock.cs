using System.Runtime.InteropServices;

namespace EdgeLlm.Native;

/// <summary>
/// CPU time of the calling thread (clock_gettime with CLOCK_THREAD_CPUTIME_ID): unlike wall time it does not grow
/// while other processes hold the cores, so short benchmark sections stay comparable on a busy machine.
/// </summary>
internal static partial class ThreadCpuClock
{
    private const int ClockThreadCpuTimeId = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    /// <summary>Nanoseconds of CPU time used by this thread so far, or -1 where the clock is missing.</summary>
    public static long Nanoseconds() =>
        ClockGetTime(ClockThreadCpuTimeId, out var t) == 0 ? t.Seconds * 1_000_000_000 + t.Nanoseconds : -1;
}
