using EdgeLlm.Core.Generation;
using EdgeLlm.Core.Gguf;
using EdgeLlm.Core.Model;
using EdgeLlm.Core.Sampling;
using EdgeLlm.Core.Tokenizers;

namespace EdgeLlm.Core.Diagnostics;

/// <summary>
/// The prompt cache's exactness on one model, for <c>edgellm selftest</c> (so every CPU's kernels are checked, arm64
/// under qemu included): two system prompts alternate, then a restart reads the slots from disk; after each hit (live
/// cache, another slot, disk) the prompt's logits and KV rows must equal a cold run's bit for bit.
/// </summary>
public static class PromptCacheExactness
{
    /// <exception cref="InvalidOperationException">A warm result differs from the cold one, or the cache was not hit.</exception>
    public static void Check(string modelPath, int threads, string? interleavedDirectory)
    {
        string directory = Path.Combine(Path.GetTempPath(), $"edgellm-pcx-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            var options = new ModelOptions { ContextLength = 256, Threads = threads, InterleavedCacheDirectory = interleavedDirectory };
            var limits = new PromptCacheLimits(4, 64 << 20, TimeSpan.MaxValue);
            using var file = GgufFile.Open(modelPath);
            using var cold = TransformerModel.Load(file, options);
            var coldGenerator = new TextGenerator(cold, Tokenizer.FromGguf(file));
            int vocab = cold.Config.VocabSize;
            var random = new Random(5);
            int[] Tokens(int n) => [.. Enumerable.Range(0, n).Select(_ => random.Next(vocab))];
            int[] a = Tokens(70), b = Tokens(75);

            void Compare(string step, TextGenerator warm, int[] prompt, string expectedSource)
            {
                var hit = warm.Generate(prompt, new GenerationSettings { Sampling = SamplingOptions.Greedy, MaxTokens = 0 });
                if ((hit.CacheSource ?? "cold") != expectedSource)
                    throw new InvalidOperationException($"{step}: expected a {expectedSource} hit, got {hit.CacheSource ?? "cold"} ({hit.ReusedPromptTokens} tokens)");
                coldGenerator.ResetCache();
                coldGenerator.Generate(prompt, new GenerationSettings { Sampling = SamplingOptions.Greedy, MaxTokens = 0, CachePrompt = false });
                var w = warm.LastLogits;
                var c = coldGenerator.LastLogits;
                for (int i = 0; i < c.Length; i++)
                    if (BitConverter.SingleToInt32Bits(w[i]) != BitConverter.SingleToInt32Bits(c[i]))
                        throw new InvalidOperationException($"{step}: logit {i} is {w[i]:R} warm, {c[i]:R} cold");
                var warmRows = new byte[prompt.Length * cold.Cache.BytesPerPosition];
                var coldRows = new byte[warmRows.Length];
                warm.Model.Cache.Snapshot(prompt.Length, warmRows);
                cold.Cache.Snapshot(prompt.Length, coldRows);
                int same = warmRows.AsSpan().CommonPrefixLength(coldRows);
                if (same != warmRows.Length) throw new InvalidOperationException($"{step}: KV byte {same} of {warmRows.Length} differs");
            }

            using (var model = TransformerModel.Load(file, options))
            {
                var cache = new PromptCache(limits, new PromptCacheDirectory(directory, new PromptCacheIdentity(model)));
                var warm = new TextGenerator(model, Tokenizer.FromGguf(file)) { PromptCache = cache };
                Compare("A1", warm, [.. a, .. Tokens(30)], "cold");
                Compare("B1", warm, [.. b, .. Tokens(23)], "cold");
                Compare("A2 from A's slot", warm, [.. a, .. Tokens(12)], "slot");
                Compare("A3 from the live cache", warm, [.. a, .. Tokens(41)], "memory");
                cache.Flush();
            }
            using (var model = TransformerModel.Load(file, options))
            {
                var problems = new List<string>();
                var directoryAgain = new PromptCacheDirectory(directory, new PromptCacheIdentity(model), problems.Add);
                var cache = new PromptCache(limits, directoryAgain);
                cache.AddLoaded(directoryAgain.Load());
                if (problems.Count > 0) throw new InvalidOperationException(problems[0]);
                Compare("B2 after a restart", new TextGenerator(model, Tokenizer.FromGguf(file)) { PromptCache = cache }, [.. b, .. Tokens(9)], "disk");
            }
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }
}
