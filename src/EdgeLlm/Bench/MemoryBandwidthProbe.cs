using System.Diagnostics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Runtime.InteropServices;

namespace EdgeLlm.Bench;

/// <summary>Measures sustained memory read bandwidth: threads summing disjoint slices of a buffer much larger than any cache.</summary>
/// <remarks>
/// This is the ceiling for generation speed, which reads every weight once per token. On a shared machine the figure
/// moves from minute to minute, so the bench measures it between its repetitions and keeps the best.
/// </remarks>
public sealed unsafe class MemoryBandwidthProbe : IDisposable
{
    private readonly long _bytes;
    private byte* _buffer;

    public MemoryBandwidthProbe(long bytes = 1L << 30)
    {
        _bytes = bytes;
        _buffer = (byte*)NativeMemory.AlignedAlloc((nuint)bytes, 64);
        // Touch every page so the measurement reads memory, not page faults.
        for (long i = 0; i < bytes; i += 4096) _buffer[i] = (byte)i;
    }

    public void Dispose()
    {
        if (_buffer == null) return;
        NativeMemory.AlignedFree(_buffer);
        _buffer = null;
    }

    /// <summary>Best of <paramref name="passes"/> passes over the buffer, GB/s.</summary>
    public double Measure(int threads, int passes = 2)
    {
        byte* buffer = _buffer;
        long bytes = _bytes;
        {
            long slice = bytes / threads / 64 * 64;
            double best = 0;
            for (int pass = 0; pass < passes; pass++)
            {
                var clock = Stopwatch.StartNew();
                var workers = new Thread[threads];
                long sink = 0;
                for (int t = 0; t < threads; t++)
                {
                    byte* start = buffer + t * slice;
                    workers[t] = new Thread(() => Interlocked.Add(ref sink, SumSlice(start, slice)));
                    workers[t].Start();
                }
                foreach (var w in workers) w.Join();
                double seconds = clock.Elapsed.TotalSeconds;
                best = Math.Max(best, slice * threads / seconds / 1e9);
                GC.KeepAlive(sink);
            }
            return best;
        }
    }

    /// <summary>
    /// Sums a slice with 256-bit loads, four accumulators and software prefetch a kilobyte ahead (as the generation kernels
    /// do), so the probe is a ceiling the kernels can reach and not a figure they beat.
    /// </summary>
    private static long SumSlice(byte* start, long length)
    {
        var acc0 = Vector256<long>.Zero;
        var acc1 = Vector256<long>.Zero;
        var acc2 = Vector256<long>.Zero;
        var acc3 = Vector256<long>.Zero;
        long i = 0;
        for (; i + 128 <= length; i += 128)
        {
            if (Sse.IsSupported)
            {
                Sse.Prefetch0(start + i + 1024);
                Sse.Prefetch0(start + i + 1024 + 64);
            }
            acc0 += Vector256.Load((long*)(start + i));
            acc1 += Vector256.Load((long*)(start + i + 32));
            acc2 += Vector256.Load((long*)(start + i + 64));
            acc3 += Vector256.Load((long*)(start + i + 96));
        }
        return Vector256.Sum(acc0 + acc1 + acc2 + acc3);
    }
}
