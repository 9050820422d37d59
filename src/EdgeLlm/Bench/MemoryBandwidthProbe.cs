using System.Diagnostics;
using System.Numerics;
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
