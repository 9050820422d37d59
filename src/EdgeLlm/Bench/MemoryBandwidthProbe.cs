using System.Diagnostics;
using System.Numerics;
using System.Runtime.InteropServices;

namespace EdgeLlm.Bench;

/// <summary>Measures sustained memory read bandwidth: threads summing disjoint slices of a buffer much larger than any cache.</summary>
/// <remarks>This is the ceiling for generation speed, which reads every weight once per token.</remarks>
public static unsafe class MemoryBandwidthProbe
{
    public static double MeasureGBps(int threads, long bytes = 1L << 30, int passes = 3)
    {
        byte* buffer = (byte*)NativeMemory.AlignedAlloc((nuint)bytes, 64);
        try
        {
            // Touch every page so the measurement reads memory, not page faults.
            new Span<byte>(buffer, 1).Clear();
            for (long i = 0; i < bytes; i += 4096) buffer[i] = (byte)i;
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
        finally
        {
            NativeMemory.AlignedFree(buffer);
        }
    }

    private static long SumSlice(byte* start, long length)
    {
        var acc0 = Vector<long>.Zero;
        var acc1 = Vector<long>.Zero;
        int step = Vector<byte>.Count * 2;
        long i = 0;
        for (; i + step <= length; i += step)
        {
            acc0 += Vector.AsVectorInt64(*(Vector<byte>*)(start + i));
            acc1 += Vector.AsVectorInt64(*(Vector<byte>*)(start + i + Vector<byte>.Count));
        }
        return Vector.Sum(acc0 + acc1);
    }
}
