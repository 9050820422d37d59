using System.Diagnostics;
using System.Runtime.Intrinsics;
using System.Runtime.InteropServices;

namespace EdgeLlm.Bench;

/// <summary>Measures sustained memory read bandwidth: every core summing a disjoint slice of a buffer far larger than any cache.</summary>
/// <remarks>
/// This is the ceiling for generation speed, which reads every weight once per token, so it has to be what the hardware
/// streams, not what one loop happens to reach: all cores read (whatever thread count the bench runs), with the widest
/// vector the CPU executes natively (512 bits with AVX-512, 256 with AVX2, 128 on arm64, where Vector256 is emulated),
/// eight independent loads per iteration into four accumulators, and no software prefetch (the hardware prefetcher
/// follows a plain stream best). The buffer sits on transparent huge pages where the kernel grants them, so the read is
/// not slowed by a TLB miss every 4 KiB, which the model's mapped file pages do not suffer either. On a shared machine
/// the figure moves from minute to minute, so the bench measures it between its repetitions and keeps the best.
/// </remarks>
public sealed unsafe class MemoryBandwidthProbe : IDisposable
{
    private const nuint HugePage = 2 << 20;

    private readonly long _bytes;
    private byte* _buffer;

    public MemoryBandwidthProbe(long bytes = 1L << 30)
    {
        _bytes = (bytes + (long)HugePage - 1) & ~((long)HugePage - 1);
        _buffer = (byte*)NativeMemory.AlignedAlloc((nuint)_bytes, HugePage);
        HugePages = Native.Libc.AdviseHugePages(_buffer, (nuint)_bytes);
        // Touch every page so the measurement reads memory, not page faults (with huge pages, one fault per 2 MiB).
        for (long i = 0; i < _bytes; i += 4096) _buffer[i] = (byte)i;
    }

    /// <summary>Whether the kernel accepted the huge-page advice for the buffer.</summary>
    public bool HugePages { get; }

    /// <summary>Bits per load of the read loop on this CPU.</summary>
    public static int VectorBits =>
        Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : 128;

    public void Dispose()
    {
        if (_buffer == null) return;
        NativeMemory.AlignedFree(_buffer);
        _buffer = null;
    }

    /// <summary>Best of <paramref name="passes"/> passes over the buffer with <paramref name="threads"/> threads, GB/s.</summary>
    public double Measure(int threads, int passes = 2)
    {
        const long Unit = 8 * 64; // one iteration of the widest loop
        long slice = _bytes / threads / Unit * Unit;
        double best = 0;
        for (int pass = 0; pass < passes; pass++)
        {
            // The threads start together: each checks in, then waits for the start signal, so thread creation is not timed.
            int ready = 0;
            int started = 0;
            long sink = 0;
            var workers = new Thread[threads];
            for (int t = 0; t < threads; t++)
            {
                byte* start = _buffer + t * slice;
                workers[t] = new Thread(() =>
                {
                    Interlocked.Increment(ref ready);
                    while (Volatile.Read(ref started) == 0) Thread.SpinWait(8);
                    Interlocked.Add(ref sink, SumSlice(start, slice));
                });
                workers[t].Start();
            }
            while (Volatile.Read(ref ready) < threads) Thread.Yield();
            long begin = Stopwatch.GetTimestamp();
            Volatile.Write(ref started, 1);
            foreach (var w in workers) w.Join();
            double seconds = Stopwatch.GetElapsedTime(begin).TotalSeconds;
            best = Math.Max(best, slice * threads / seconds / 1e9);
            GC.KeepAlive(sink);
        }
        return best;
    }

    /// <summary>The slice's sum as 64-bit lanes with the widest hardware vector (the sum only keeps the loads alive).</summary>
    internal static long SumSlice(byte* start, long length) =>
        Vector512.IsHardwareAccelerated ? Sum512(start, length)
        : Vector256.IsHardwareAccelerated ? Sum256(start, length)
        : Sum128(start, length);

    private static long Sum512(byte* p, long length)
    {
        Vector512<long> a0 = default, a1 = default, a2 = default, a3 = default;
        long i = 0;
        for (; i + 512 <= length; i += 512)
        {
            a0 += Vector512.Load((long*)(p + i)) + Vector512.Load((long*)(p + i + 256));
            a1 += Vector512.Load((long*)(p + i + 64)) + Vector512.Load((long*)(p + i + 320));
            a2 += Vector512.Load((long*)(p + i + 128)) + Vector512.Load((long*)(p + i + 384));
            a3 += Vector512.Load((long*)(p + i + 192)) + Vector512.Load((long*)(p + i + 448));
        }
        return Vector512.Sum(a0 + a1 + a2 + a3) + Tail(p + i, length - i);
    }

    private static long Sum256(byte* p, long length)
    {
        Vector256<long> a0 = default, a1 = default, a2 = default, a3 = default;
        long i = 0;
        for (; i + 256 <= length; i += 256)
        {
            a0 += Vector256.Load((long*)(p + i)) + Vector256.Load((long*)(p + i + 128));
            a1 += Vector256.Load((long*)(p + i + 32)) + Vector256.Load((long*)(p + i + 160));
            a2 += Vector256.Load((long*)(p + i + 64)) + Vector256.Load((long*)(p + i + 192));
            a3 += Vector256.Load((long*)(p + i + 96)) + Vector256.Load((long*)(p + i + 224));
        }
        return Vector256.Sum(a0 + a1 + a2 + a3) + Tail(p + i, length - i);
    }

    private static long Sum128(byte* p, long length)
    {
        Vector128<long> a0 = default, a1 = default, a2 = default, a3 = default;
        long i = 0;
        for (; i + 128 <= length; i += 128)
        {
            a0 += Vector128.Load((long*)(p + i)) + Vector128.Load((long*)(p + i + 64));
            a1 += Vector128.Load((long*)(p + i + 16)) + Vector128.Load((long*)(p + i + 80));
            a2 += Vector128.Load((long*)(p + i + 32)) + Vector128.Load((long*)(p + i + 96));
            a3 += Vector128.Load((long*)(p + i + 48)) + Vector128.Load((long*)(p + i + 112));
        }
        return Vector128.Sum(a0 + a1 + a2 + a3) + Tail(p + i, length - i);
    }

    private static long Tail(byte* p, long length)
    {
        long sum = 0;
        for (long i = 0; i + 8 <= length; i += 8) sum += *(long*)(p + i);
        return sum;
    }
}
