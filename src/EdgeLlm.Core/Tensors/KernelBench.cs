using System.Diagnostics;

namespace EdgeLlm.Core.Tensors;

/// <summary>
/// Single-thread throughput of the matrix × vector kernels on cache-resident random rows (<c>edgellm bench --kernels</c>):
/// weight GB/s the kernel itself sustains, separate from memory bandwidth and threading. Interleaved kernels are also run
/// from memory (<see cref="Streamed"/>), the way generation reads them: there the figure is how much of one core's read
/// bandwidth the kernel keeps busy, which is what a generated token costs.
/// </summary>
public static class KernelBench
{
    public static IEnumerable<(string Name, double GBps)> Run(int n = 4096, int rows = 128, double seconds = 0.5)
    {
        // The quant types with SIMD row kernels (the table's), not the float types or those only the scalar reference reads.
        foreach (var type in QuantTypes.All.Where(t => t.BlockElements > 1 && t.Rows.Listed.Any()).Select(t => t.Type))
        {
            var rng = new Random(1);
            long rowBytes = GgmlTypeInfo.RowBytes(type, n);
            var w = new byte[rowBytes * rows];
            for (int r = 0; r < rows; r++) RandomBlocks.WeightRow(type, n, rng).CopyTo(w, r * rowBytes);
            byte[] act = RandomBlocks.ActivationRow(type, n, rng, out _);
            var results = new float[rows];
            foreach (var path in Enum.GetValues<KernelPath>())
            {
                if (path is KernelPath.Scalar or KernelPath.NeonEmulated || !Dot.CanRun(path, type)) continue;
                yield return ($"{type} rows [{Dot.Name(path)}]{(path == Dot.Default(type) ? "*" : "")}", Measure(path, type, w, rows, act, n, results, seconds));
            }
            if (InterleavedDot.Fits(type, rows, n))
            {
                byte[] groups = InterleavedDot.Interleave(type, w, rows, n);
                foreach (var path in Enum.GetValues<KernelPath>())
                {
                    if (path == KernelPath.NeonEmulated || !InterleavedDot.CanRun(path, type)) continue;
                    yield return ($"{type} interleaved [{Dot.Name(path)}]{(path == InterleavedDot.Default(type) ? "*" : "")}",
                        Measure(() => InterleavedDot.RowsWith(path, type, groups, rows / InterleavedDot.GroupRows, act, n, results), w.Length, seconds));
                }
                foreach (var path in Enum.GetValues<KernelPath>())
                {
                    if (path == KernelPath.NeonEmulated || !InterleavedDot.CanRun(path, type)) continue;
                    yield return ($"{type} interleaved [{Dot.Name(path)}]{(path == InterleavedDot.Default(type) ? "*" : "")} from memory",
                        Streamed(path, type, groups, rows, act, n, seconds));
                }
            }
        }
    }

    /// <summary>Bytes the from-memory runs walk through: several times any last-level cache a small machine has.</summary>
    private const long StreamBytes = 256L << 20;

    /// <summary>
    /// The interleaved kernel over <see cref="StreamBytes"/> of weights (copies of the same groups: the values do not change
    /// the speed), one call per 64 groups as a generation thread's claims make them.
    /// </summary>
    private static double Streamed(KernelPath path, GgmlType type, byte[] groups, int rows, byte[] act, int n, double seconds)
    {
        int callGroups = 64;
        long callBytes = callGroups * InterleavedDot.GroupBytes(type, n);
        int calls = (int)(StreamBytes / callBytes);
        var big = GC.AllocateUninitializedArray<byte>((int)(calls * callBytes));
        for (long o = 0; o < big.Length; o += groups.Length) groups.AsSpan(0, (int)Math.Min(groups.Length, big.Length - o)).CopyTo(big.AsSpan((int)o));
        var results = new float[callGroups * InterleavedDot.GroupRows];
        return Measure(() =>
        {
            for (int c = 0; c < calls; c++)
                InterleavedDot.RowsWith(path, type, big.AsSpan((int)(c * callBytes), (int)callBytes), callGroups, act, n, results);
        }, big.Length, seconds);
    }

    private static double Measure(KernelPath path, GgmlType type, byte[] w, int rows, byte[] act, int n, float[] results, double seconds) =>
        Measure(() => Dot.RowsWith(path, type, w, rows, act, n, results), w.Length, seconds);

    private static double Measure(Action pass, long bytes, double seconds)
    {
        pass();
        long passes = 0;
        // Process CPU time, not wall time: on a shared machine the figure then reflects the kernel, not the neighbours.
        var self = Process.GetCurrentProcess();
        var cpu0 = self.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            for (int i = 0; i < 16; i++) pass();
            passes += 16;
        }
        self.Refresh();
        double cpu = (self.TotalProcessorTime - cpu0).TotalSeconds;
        return passes * (double)bytes / cpu / 1e9;
    }
}
