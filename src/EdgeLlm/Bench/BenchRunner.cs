using System.Diagnostics;
using EdgeLlm.Core.Gguf;
using EdgeLlm.Core.Model;
using EdgeLlm.Core.Tensors;

namespace EdgeLlm.Bench;

/// <summary>
/// Prompt processing and generation speed, measured like llama-bench: pp = a batch of N prompt tokens
/// from an empty context; tg = N tokens generated one at a time from an empty context.
/// </summary>
public static class BenchRunner
{
    /// <summary>Prompt tokens run once before measuring (first-touch of the weights and buffers).</summary>
    private const int WarmUpTokens = 8;

    public static BenchReport Run(string path, int threads, int pp, int tg, int reps, string? weightCacheDirectory, Action<string>? progress = null)
    {
        using var file = GgufFile.Open(path);
        using var model = TransformerModel.Load(file, new ModelOptions
        {
            // Room for the warm-up batch too, so short runs (--pp 0 --tg 4) are measured rather than refused.
            ContextLength = Math.Max(Math.Max(pp, tg), WarmUpTokens) + 1, Threads = threads, MaxBatch = Math.Max(WarmUpTokens, pp),
            InterleavedCacheDirectory = weightCacheDirectory, Log = line => Console.Error.WriteLine(line),
        });
        var random = new Random(1234);
        int vocab = model.Config.VocabSize;
        var logits = new float[vocab];
        int[] prompt = Enumerable.Range(0, Math.Max(WarmUpTokens, pp)).Select(_ => random.Next(vocab)).ToArray();

        progress?.Invoke("warm-up");
        model.Forward(prompt.AsSpan(0, WarmUpTokens), 0, logits);
        for (int i = 0; i < 2; i++) model.Forward([prompt[i]], i, logits);

        var self = System.Diagnostics.Process.GetCurrentProcess();
        double ppCpu = 0, tgCpu = 0;
        var ppRates = new List<double>();
        var tgRates = new List<double>();
        long rssAnon = 0;
        MemoryBandwidthProbe? probe = null;
        // The ceiling is what the hardware streams, so the probe reads with every core even when the bench runs fewer threads.
        int probeThreads = Math.Max(model.Threads, WorkerPool.DefaultThreadCount);
        bool hugePages = false;
        double gbps = 0;
        for (int r = 0; r < reps; r++)
        {
            if (pp > 0)
            {
                self.Refresh();
                var cpu0 = self.TotalProcessorTime;
                var clock = Stopwatch.StartNew();
                model.Forward(prompt.AsSpan(0, pp), 0, logits);
                self.Refresh();
                ppCpu += (self.TotalProcessorTime - cpu0).TotalSeconds;
                ppRates.Add(pp / clock.Elapsed.TotalSeconds);
                progress?.Invoke($"pp{pp} rep {r + 1}: {ppRates[^1]:F2} tok/s");
            }
            if (tg > 0)
            {
                int token = prompt[0];
                self.Refresh();
                var cpu0 = self.TotalProcessorTime;
                var clock = Stopwatch.StartNew();
                for (int i = 0; i < tg; i++)
                {
                    model.Forward([token], i, logits);
                    token = Core.Model.Ops.VectorMath.ArgMax(logits);
                }
                tgRates.Add(tg / clock.Elapsed.TotalSeconds);
                self.Refresh();
                tgCpu += (self.TotalProcessorTime - cpu0).TotalSeconds;
                progress?.Invoke($"tg{tg} rep {r + 1}: {tgRates[^1]:F2} tok/s");
            }
            // The probe alternates with the repetitions so both see the same machine; its best figure is the ceiling.
            if (probe == null)
            {
                rssAnon = ResidentAnonBytes(); // every buffer of the model exists now; the probe's own comes next
                probe = new MemoryBandwidthProbe();
                hugePages = probe.HugePages;
            }
            gbps = Math.Max(gbps, probe.Measure(probeThreads));
            progress?.Invoke($"memory read bandwidth probe: {gbps:F1} GB/s (best so far)");
        }
        probe?.Dispose();
        long bytesPerToken = model.Weights.BytesPerToken;
        double tgMedian = Median(tgRates);
        var (efficiency, efficiencyNote) = GenerationEfficiency.Compute(bytesPerToken, tgMedian, gbps);
        return new BenchReport
        {
            Model = Path.GetFileName(path),
            ModelBytes = file.FileLength,
            BytesPerToken = bytesPerToken,
            Threads = model.Threads,
            Isa = CpuFeatures.KernelIsa,
            InterleavedMatrices = model.Weights.Matrices.Count(m => m.IsInterleaved),
            PromptTokens = pp,
            GeneratedTokens = tg,
            Repetitions = reps,
            PromptTps = Median(ppRates),
            PromptTpsMin = ppRates.DefaultIfEmpty().Min(),
            PromptTpsMax = ppRates.DefaultIfEmpty().Max(),
            GenerationTps = tgMedian,
            GenerationTpsMin = tgRates.DefaultIfEmpty().Min(),
            GenerationTpsMax = tgRates.DefaultIfEmpty().Max(),
            ReadGBps = gbps,
            PromptCpuMsPerToken = pp > 0 ? 1000 * ppCpu / (reps * pp) : 0,
            GenerationCpuMsPerToken = tg > 0 ? 1000 * tgCpu / (reps * tg) : 0,
            ResidentAnonBytes = rssAnon,
            GenerationEfficiency = efficiency,
            GenerationEfficiencyNote = efficiencyNote,
            ReadProbe = $"{probeThreads} threads, {MemoryBandwidthProbe.VectorBits}-bit loads, {(hugePages ? "huge pages" : "4 KiB pages")}",
        };
    }

    /// <summary>Anonymous resident memory (RssAnon: heap, KV cache, scratch, runtime), i.e. resident memory beyond the mapped model file.</summary>
    private static long ResidentAnonBytes()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("RssAnon:", StringComparison.Ordinal))
                    return long.Parse(line.AsSpan(8).Trim().TrimEnd("kB").Trim(), System.Globalization.CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return 0;
    }

    private static double Median(List<double> values)
    {
        if (values.Count == 0) return 0;
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
