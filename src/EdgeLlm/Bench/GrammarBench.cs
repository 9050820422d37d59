using System.Diagnostics;
using EdgeLlm.Core.Generation;
using EdgeLlm.Core.Gguf;
using EdgeLlm.Core.Model;
using EdgeLlm.Core.Sampling;
using EdgeLlm.Core.Sampling.Grammar;
using EdgeLlm.Core.Tokenizers;

namespace EdgeLlm.Bench;

/// <summary>
/// <c>edgellm bench --grammar json</c>: what constrained output costs. With a model: generation tok/s at temperature
/// 1.0 with and without the grammar, alternating runs on the same model and prompt. With only a vocabulary file (for
/// vocabularies whose models do not load yet): the sampler's time per token on synthetic random logits, with and without
/// the grammar, which is exactly the part the grammar adds to a real model's token time.
/// </summary>
public static class GrammarBench
{
    private const string Prompt = "Answer in JSON:";

    /// <summary>Tokens per second over <paramref name="tokens"/> generated tokens (answers restart when the grammar completes).</summary>
    public static void RunModel(string path, int threads, int tokens, int reps, OutputConstraint constraint, Action<string> report)
    {
        using var file = GgufFile.Open(path);
        var tokenizer = Tokenizer.FromGguf(file);
        using var model = TransformerModel.Load(file, new ModelOptions { ContextLength = Math.Min(4096, tokens + 64), Threads = threads });
        var generator = new TextGenerator(model, tokenizer);
        int[] prompt = tokenizer.Encode(Prompt, addBos: tokenizer.AddBos, parseSpecial: false);

        var cold = Stopwatch.StartNew();
        Measure(generator, prompt, constraint, tokens, seed: 1000);
        report($"first grammar run (JIT, token trie, first states and masks): {cold.Elapsed.TotalMilliseconds:F0} ms");
        Measure(generator, prompt, null, tokens, seed: 1000);

        var plain = new List<(double Tps, double CpuMs)>();
        var constrained = new List<(double Tps, double CpuMs)>();
        for (int r = 0; r < reps; r++)
        {
            plain.Add(Measure(generator, prompt, null, tokens, seed: (ulong)r + 1));
            constrained.Add(Measure(generator, prompt, constraint, tokens, seed: (ulong)r + 1));
            report($"rep {r + 1}: {plain[^1].Tps:F1} tok/s plain, {constrained[^1].Tps:F1} tok/s with the {constraint.Description} grammar" +
                $" (cpu {plain[^1].CpuMs:F3} / {constrained[^1].CpuMs:F3} ms per token)");
        }
        double p = Median(plain.Select(x => x.Tps)), c = Median(constrained.Select(x => x.Tps));
        double pc = Median(plain.Select(x => x.CpuMs)), cc = Median(constrained.Select(x => x.CpuMs));
        report($"model {Path.GetFileName(path)}, vocabulary {tokenizer.VocabSize}, {threads} threads, tg {tokens}, temperature 1.0, medians of {reps}");
        report($"plain:    {p:F1} tok/s, {pc:F3} cpu ms per token");
        report($"grammar:  {c:F1} tok/s, {cc:F3} cpu ms per token ({constraint.Description})");
        report($"overhead: {(p / c - 1) * 100:F1}% wall time per token, {(cc / pc - 1) * 100:F1}% cpu time per token (the steadier figure on a busy machine)");
    }

    /// <summary>Wall tok/s and process CPU ms per token over <paramref name="tokens"/> tokens (answers restart when the grammar completes).</summary>
    private static (double Tps, double CpuMs) Measure(TextGenerator generator, int[] prompt, OutputConstraint? constraint, int tokens, ulong seed)
    {
        var self = Process.GetCurrentProcess();
        self.Refresh();
        var cpu0 = self.TotalProcessorTime;
        int generated = 0;
        var time = TimeSpan.Zero;
        while (generated < tokens)
        {
            var result = generator.Generate(prompt, new GenerationSettings
            {
                Sampling = new SamplingOptions { Temperature = 1.0f, Seed = seed++ },
                MaxTokens = tokens - generated,
                Constraint = constraint,
            });
            // Prompt time is the re-fed last prompt token: one forward, like every generated token's.
            time += result.PromptTime + result.GenerationTime;
            generated += result.GeneratedTokens;
            if (result.GeneratedTokens == 0) break;
        }
        self.Refresh();
        return (generated / time.TotalSeconds, (self.TotalProcessorTime - cpu0).TotalMilliseconds / Math.Max(1, generated));
    }

    /// <summary>Sampler time per token on random logits over the vocabulary of <paramref name="path"/>, with and without the grammar.</summary>
    public static void RunVocabulary(string path, int tokens, int reps, OutputConstraint constraint, Action<string> report)
    {
        using var file = GgufFile.Open(path);
        var tokenizer = Tokenizer.FromGguf(file);
        int vocab = tokenizer.VocabSize;
        var tables = new GrammarTableCache();
        var logits = new float[vocab];
        var fresh = new float[vocab];

        var build = Stopwatch.StartNew();
        var first = (GrammarMatcher)constraint.CreateMatcher(tokenizer, tables);
        report($"token trie of {vocab} tokens: {first.MaskStatistics.TrieNodes} nodes, built in {build.Elapsed.TotalMilliseconds:F0} ms");

        var plainTimes = new List<double>();
        var grammarTimes = new List<double>();
        GrammarMatcher? last = null;
        for (int r = 0; r < reps; r++)
        {
            var random = new Random(r + 1);
            var plainSampler = new Sampler(new SamplingOptions { Temperature = 1.0f, Seed = (ulong)r + 1 }, vocab);
            var grammarSampler = new Sampler(new SamplingOptions { Temperature = 1.0f, Seed = (ulong)r + 1 }, vocab);
            var matcher = (GrammarMatcher)constraint.CreateMatcher(tokenizer, tables);
            long plainTicks = 0, grammarTicks = 0;
            for (int t = 0; t < tokens; t++)
            {
                FillRandom(random, fresh);
                fresh.CopyTo(logits);
                long start = Stopwatch.GetTimestamp();
                plainSampler.Accept(plainSampler.Sample(logits));
                plainTicks += Stopwatch.GetTimestamp() - start;

                fresh.CopyTo(logits);
                start = Stopwatch.GetTimestamp();
                int token = grammarSampler.Sample(logits, matcher);
                grammarSampler.Accept(token);
                if (!tokenizer.IsEndOfGeneration(token)) matcher.Accept(token);
                if (tokenizer.IsEndOfGeneration(token) || matcher.MustEnd) matcher = (GrammarMatcher)constraint.CreateMatcher(tokenizer, tables);
                grammarTicks += Stopwatch.GetTimestamp() - start;
            }
            plainTimes.Add(plainTicks * 1e6 / Stopwatch.Frequency / tokens);
            grammarTimes.Add(grammarTicks * 1e6 / Stopwatch.Frequency / tokens);
            report($"rep {r + 1}: sampler {plainTimes[^1]:F1} µs/token plain, {grammarTimes[^1]:F1} µs/token with the {constraint.Description} grammar");
            last = matcher;
        }
        var (built, buildTime, reused, _) = last!.MaskStatistics;
        double p = Median(plainTimes), g = Median(grammarTimes);
        report($"vocabulary {Path.GetFileName(path)} ({vocab} tokens), {tokens} tokens per rep, random logits, temperature 1.0");
        report($"sampler plain:   {p:F1} µs/token");
        report($"sampler grammar: {g:F1} µs/token (+{g - p:F1} µs per token)");
        report($"masks: {built} built by trie walks ({(built > 0 ? buildTime.TotalMilliseconds / built : 0):F2} ms each), {reused} reused from the cache; {last.StatesExplored} grammar states");
    }

    /// <summary>Logits like a flat random model's: normal with a standard deviation of 2.</summary>
    private static void FillRandom(Random random, float[] logits)
    {
        for (int i = 0; i < logits.Length; i += 2)
        {
            double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
            double radius = 2.0 * Math.Sqrt(-2.0 * Math.Log(u1));
            logits[i] = (float)(radius * Math.Cos(2 * Math.PI * u2));
            if (i + 1 < logits.Length) logits[i + 1] = (float)(radius * Math.Sin(2 * Math.PI * u2));
        }
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
