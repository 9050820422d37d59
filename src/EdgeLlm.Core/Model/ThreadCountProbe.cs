using System.Diagnostics;
using System.Globalization;
using EdgeLlm.Core.Tensors;

namespace EdgeLlm.Core.Model;

/// <summary>
/// <c>threads: auto</c>: at load, times this model's own matrix-vector products with 1 to <c>cores</c> threads and picks the
/// fastest, so a board whose cores are partly taken (a kiosk drawing its screen, a second service) gets the count that is
/// fastest there rather than the core count.
/// </summary>
/// <remarks>
/// Each pass multiplies one token through the first layers' matrices, in forward order, until <see cref="PassBytes"/> of
/// weights are read: far more than a Pi's last-level cache, so a pass streams memory like generation does, and it pays
/// the pool's per-operation cost as often per byte as a token does. Candidates are timed in alternation, best of
/// <see cref="Rounds"/>, after one warm-up pass that pages the sampled weights in. The core count wins unless another
/// count is clearly faster (<see cref="Margin"/>), so the pick stays the same from start to start on a quiet board (the
/// prompt cache on disk is keyed by the thread count). Roughly 1 + 3·cores passes of 32 MiB: about 0.1 s on a Pi 4.
/// </remarks>
public static class ThreadCountProbe
{
    public const long PassBytes = 32L << 20;
    public const int Rounds = 3;

    /// <summary>A count below the maximum must be at least this much faster to be chosen.</summary>
    public const double Margin = 0.05;

    /// <summary>Wall-clock bound after the first round: a board this slow keeps the rounds it has.</summary>
    private static readonly TimeSpan Budget = TimeSpan.FromMilliseconds(600);

    /// <summary>The thread count from 1 to <paramref name="maxThreads"/> that multiplies this model's matrices fastest.</summary>
    public static int Pick(ModelWeights weights, int maxThreads, Action<string>? log)
    {
        if (maxThreads <= 1) return 1;
        var sample = Sample(weights);
        var seconds = new double[maxThreads + 1];
        Array.Fill(seconds, double.PositiveInfinity);
        var clock = Stopwatch.StartNew();
        var pools = new (WorkerPool Pool, MatMulJob Job)[maxThreads + 1];
        try
        {
            for (int t = 1; t <= maxThreads; t++) pools[t] = (new WorkerPool(t), new MatMulJob(t));
            sample.Pass(pools[maxThreads].Pool, pools[maxThreads].Job);
            for (int round = 0; round < Rounds && (round == 0 || clock.Elapsed < Budget); round++)
                for (int t = 1; t <= maxThreads; t++)
                {
                    long start = Stopwatch.GetTimestamp();
                    sample.Pass(pools[t].Pool, pools[t].Job);
                    seconds[t] = Math.Min(seconds[t], Stopwatch.GetElapsedTime(start).TotalSeconds);
                }
        }
        finally
        {
            foreach (var (pool, _) in pools) pool?.Dispose();
        }
        int pick = Choose(seconds.AsSpan(1));
        log?.Invoke(string.Create(CultureInfo.InvariantCulture,
            $"threads auto: {pick} ({string.Join(", ", Enumerable.Range(1, maxThreads).Select(t => $"{t}: {sample.Bytes / seconds[t] / 1e9:F1} GB/s"))} over {sample.Bytes >> 20} MiB of weights; {clock.Elapsed.TotalMilliseconds:F0} ms)"));
        return pick;
    }

    /// <summary>
    /// The count (1-based) of the fastest time in <paramref name="seconds"/> (index 0 = 1 thread), unless the largest
    /// count is within <see cref="Margin"/> of it: then the largest.
    /// </summary>
    internal static int Choose(ReadOnlySpan<double> seconds)
    {
        int best = 0;
        for (int i = 1; i < seconds.Length; i++)
            if (seconds[i] < seconds[best]) best = i;
        int most = seconds.Length - 1;
        return seconds[most] <= seconds[best] * (1 + Margin) ? most + 1 : best + 1;
    }

    private static Sampled Sample(ModelWeights weights)
    {
        var matrices = new List<WeightMatrix>();
        long bytes = 0;
        foreach (var m in weights.Matrices)
        {
            if (bytes >= PassBytes) break;
            matrices.Add(m);
            bytes += (long)m.Rows * m.RowBytes;
        }
        return new Sampled(matrices, bytes);
    }

    /// <summary>The sampled matrices with an activation row each (random, quantized once) and an output row.</summary>
    private sealed class Sampled
    {
        private readonly WeightMatrix[] _matrices;
        private readonly byte[][] _activations;
        private readonly float[][] _outputs;

        public Sampled(List<WeightMatrix> matrices, long bytes)
        {
            Bytes = bytes;
            _matrices = [.. matrices];
            _activations = new byte[_matrices.Length][];
            _outputs = new float[_matrices.Length][];
            var random = new Random(1);
            for (int i = 0; i < _matrices.Length; i++)
            {
                ref readonly var w = ref _matrices[i];
                var input = new float[w.Columns];
                for (int c = 0; c < input.Length; c++) input[c] = random.NextSingle() * 2 - 1;
                _activations[i] = new byte[GgmlTypeInfo.RowBytes(w.ActivationType, w.Columns)];
                Quants.QuantizeRow(w.ActivationType, input, _activations[i]);
                _outputs[i] = new float[w.Rows];
            }
        }

        public long Bytes { get; }

        public void Pass(WorkerPool pool, MatMulJob job)
        {
            for (int i = 0; i < _matrices.Length; i++)
                job.Run(pool, _matrices[i], _activations[i], _activations[i].Length, 1, _outputs[i]);
        }
    }
}
