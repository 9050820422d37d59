using EdgeLlm.Core.Generation;
using EdgeLlm.Core.Model;
using EdgeLlm.Core.Sampling;
using EdgeLlm.Pipeline;

namespace EdgeLlm.Bench;

/// <summary>
/// The prompt cache measured the way Home Assistant uses it: two long system prompts (random tokens, so nothing but the
/// cache can make them cheap) with short different questions. Requests A1, A2 (the second request on a known prefix),
/// then B1, A3, B2, A4, B3 alternating, then a restart (the engine disposed after writing its slots, a new one loaded
/// from the same directory) and A5. Reports each request's time to the first token and its cached tokens.
/// </summary>
public static class PromptCacheBench
{
    public sealed record Step(string Name, int PromptTokens, int CachedTokens, string Source, double PromptMs, double TtftMs);

    public static IReadOnlyList<Step> Run(string modelPath, int threads, int systemTokens, string? weightCache, string cacheDirectory, Action<string>? log)
    {
        var random = new Random(1500);
        var steps = new List<Step>();
        var limits = new PromptCacheLimits(4, 1L << 30, Guards.PromptCachePlanner.PersistAfter);
        var options = new ModelOptions { ContextLength = systemTokens + 256, Threads = threads, InterleavedCacheDirectory = weightCache, Log = log };
        var engine = Load(modelPath, options, limits, cacheDirectory);
        try
        {
            int vocab = VocabSize(engine);
            int[] system(int seed) => Tokens(new Random(seed), systemTokens, vocab);
            int[] a = system(1), b = system(2);
            int[] Ask(int[] s) => [.. s, .. Tokens(random, 12 + random.Next(12), vocab)];
            foreach (var (name, prefix) in new[] { ("A1", a), ("A2", a), ("B1", b), ("A3", a), ("B2", b), ("A4", a), ("B3", b) })
                steps.Add(Measure(engine, name, Ask(prefix), log));

            // A restart: the slots go to disk at stop and the next process reads them.
            engine.SavePromptCache();
            engine.Dispose();
            engine = Load(modelPath, options, limits, cacheDirectory);
            steps.Add(Measure(engine, "A5 (after restart)", Ask(a), log));
            steps.Add(Measure(engine, "B4", Ask(b), log));
            return steps;
        }
        finally
        {
            engine.Dispose();
        }
    }

    private static int VocabSize(ModelEngine engine) => engine.VocabSize;

    /// <summary>Loads and warms up as the daemon does, so that no request pays first-use costs.</summary>
    private static ModelEngine Load(string modelPath, ModelOptions options, PromptCacheLimits limits, string cacheDirectory)
    {
        var engine = new ModelEngine(modelPath, options, new PromptCacheOptions(limits, cacheDirectory));
        engine.WarmUp();
        return engine;
    }

    private static int[] Tokens(Random random, int count, int vocab) => [.. Enumerable.Range(0, count).Select(_ => random.Next(3, vocab))];

    private static Step Measure(ModelEngine engine, string name, int[] prompt, Action<string>? log)
    {
        var result = engine.Generate(prompt, new GenerationSettings { Sampling = SamplingOptions.Greedy, MaxTokens = 4 }, _ => { }, CancellationToken.None);
        var step = new Step(name, prompt.Length, result.ReusedPromptTokens, result.CacheSource ?? "cold",
            result.PromptTime.TotalMilliseconds, (result.TimeToFirstToken ?? result.PromptTime).TotalMilliseconds);
        log?.Invoke($"{name}: {step.PromptTokens} prompt tokens, {step.CachedTokens} cached ({step.Source}), first token at {step.TtftMs:F0} ms");
        return step;
    }
}
