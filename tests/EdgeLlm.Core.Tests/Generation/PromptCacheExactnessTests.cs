using EdgeLlm.Core.Generation;
using EdgeLlm.Core.Gguf;
using EdgeLlm.Core.Model;
using EdgeLlm.Core.Sampling;
using EdgeLlm.Core.Tensors;
using EdgeLlm.Core.Tokenizers;

namespace EdgeLlm.Core.Tests.Generation;

/// <summary>
/// The prompt cache is exact: after a hit from the live KV cache, from another slot or from disk, the prompt's logits and
/// every key and value row equal a cold run's bit for bit, on every fixture model (each architecture), both KV types,
/// and with the interleaved weight cache.
/// </summary>
public sealed class PromptCacheExactnessTests
{
    private static readonly string[] Models = ["stories260K.gguf", "tiny-f16.gguf", "tiny-q8_0.gguf", "tiny-q4_0.gguf", "tiny-q4_k_m.gguf",
        "tiny-tied-f16.gguf", "llama3-tiny-f16.gguf", "qwen2-tiny-f16.gguf", "qwen3-tiny-f16.gguf", "llama-2-tiny-random.gguf",
        "TinyStories-656K.f16.gguf", "tinystories-656k-q8_0.gguf"];

    public static IEnumerable<object[]> Cases()
    {
        foreach (var m in Models)
            foreach (var kv in new[] { KvCacheType.F16, KvCacheType.F32 })
            {
                yield return [m, kv, false];
                if (m.Contains("q4_0") || m.Contains("q4_k")) yield return [m, kv, true];
            }
    }

    /// <summary>One loaded model and its generator; the cold reference is a second, separate instance.</summary>
    private sealed class Engine : IDisposable
    {
        public readonly GgufFile File;
        public readonly TransformerModel Model;
        public readonly TextGenerator Generator;

        public Engine(string modelFile, KvCacheType kv, string? interleaved, PromptCache? cache = null)
        {
            File = GgufFile.Open(Fixtures.Model(modelFile));
            Model = TransformerModel.Load(File, new ModelOptions { ContextLength = 256, Threads = 2, KvType = kv, InterleavedCacheDirectory = interleaved });
            Generator = new TextGenerator(Model, Tokenizer.FromGguf(File)) { PromptCache = cache };
        }

        public GenerationResult Prompt(int[] tokens, bool cache = true, int answer = 0) =>
            Generator.Generate(tokens, new GenerationSettings { Sampling = SamplingOptions.Greedy, MaxTokens = answer, CachePrompt = cache });

        public void Dispose()
        {
            Model.Dispose();
            File.Dispose();
        }
    }

    private static int[] Random(Random random, int count, int vocab) => [.. Enumerable.Range(0, count).Select(_ => random.Next(vocab))];

    /// <summary>Cold logits and KV rows for <paramref name="prompt"/>, from a fresh run with no reuse at all.</summary>
    private static (float[] Logits, byte[] Kv) Cold(Engine cold, int[] prompt)
    {
        cold.Generator.ResetCache();
        var result = cold.Prompt(prompt, cache: false);
        Assert.Equal(0, result.ReusedPromptTokens);
        return (cold.Generator.LastLogits.ToArray(), Rows(cold.Model.Cache, prompt.Length));
    }

    private static byte[] Rows(KvCache cache, int count)
    {
        var rows = new byte[count * cache.BytesPerPosition];
        cache.Snapshot(count, rows);
        return rows;
    }

    private static void AssertSame(string what, (float[] Logits, byte[] Kv) cold, Engine warm, int promptLength)
    {
        var logits = warm.Generator.LastLogits;
        for (int i = 0; i < cold.Logits.Length; i++)
            if (BitConverter.SingleToInt32Bits(cold.Logits[i]) != BitConverter.SingleToInt32Bits(logits[i]))
                Assert.Fail($"{what}: logit {i} is {logits[i]:R} warm, {cold.Logits[i]:R} cold");
        var kv = Rows(warm.Model.Cache, promptLength);
        int first = kv.AsSpan().CommonPrefixLength(cold.Kv);
        Assert.True(first == kv.Length, $"{what}: KV byte {first} of {kv.Length} differs");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Warm_prompts_equal_cold_ones_bit_for_bit(string modelFile, KvCacheType kv, bool interleaved)
    {
        string temp = Path.Combine(Path.GetTempPath(), "edgellm-pc-" + Guid.NewGuid().ToString("N"));
        string? weights = interleaved ? Path.Combine(temp, "weights") : null;
        try
        {
            var cache = new PromptCache(new PromptCacheLimits(4, 64 << 20, TimeSpan.MaxValue));
            using var warm = new Engine(modelFile, kv, weights, cache);
            using var cold = new Engine(modelFile, kv, weights);
            if (interleaved) Assert.True(warm.Model.InterleavedCache != null || !InterleavedDot.Supported(GgmlType.Q4_0), "interleaved weights expected");
            int vocab = warm.Model.Config.VocabSize, chunk = warm.Model.PromptChunk;
            Assert.Equal(32, chunk);
            var random = new Random(11);
            int[] systemA = Random(random, 70, vocab), systemB = Random(random, 75, vocab);
            int[] Ask(int[] system, int question) => [.. system, .. Random(random, question, vocab)];

            // A, then B (cold: nothing shared), then A again (from A's slot), then A once more (from the live cache).
            int[] a1 = Ask(systemA, 30), b1 = Ask(systemB, 23), a2 = Ask(systemA, 12), a3 = Ask(systemA, 41);
            var r = warm.Prompt(a1);
            Assert.Equal(0, r.ReusedPromptTokens);
            AssertSame("A1 (cold)", Cold(cold, a1), warm, a1.Length);
            r = warm.Prompt(b1);
            Assert.Equal(0, r.ReusedPromptTokens);
            AssertSame("B1 (cold)", Cold(cold, b1), warm, b1.Length);
            r = warm.Prompt(a2);
            Assert.Equal(("slot", 64), (r.CacheSource, r.ReusedPromptTokens));
            AssertSame("A2 from A's slot", Cold(cold, a2), warm, a2.Length);
            r = warm.Prompt(a3, answer: 5);
            Assert.Equal(("memory", 64), (r.CacheSource, r.ReusedPromptTokens));

            // The conversation goes on: the prompt holds A3 and more. Generated tokens' rows (one at a time) are not reused.
            int[] a4 = [.. a3, .. Random(random, 50, vocab)];
            r = warm.Prompt(a4);
            Assert.Equal(("memory", 96), (r.CacheSource, r.ReusedPromptTokens));
            AssertSame("A4 continuing A3", Cold(cold, a4), warm, a4.Length);

            // cache_prompt false: nothing reused, still exact.
            r = warm.Prompt(a4, cache: false);
            Assert.Equal(0, r.ReusedPromptTokens);
            AssertSame("A4 without the cache", Cold(cold, a4), warm, a4.Length);

            // Across a restart: the slots go to disk, a new model instance reads them, B is warm from disk.
            var identity = new PromptCacheIdentity(warm.Model);
            var directory = new PromptCacheDirectory(Path.Combine(temp, "prompts"), identity);
            var persisted = new PromptCache(cache.Limits, directory);
            persisted.AddLoaded(cache.Slots);
            persisted.Flush();
            Assert.True(Directory.GetFiles(directory.Path, "*.kv").Length >= 2);
            var log = new List<string>();
            var reloaded = new PromptCache(cache.Limits, new PromptCacheDirectory(directory.Path, identity, log.Add));
            using var restarted = new Engine(modelFile, kv, weights, reloaded);
            reloaded.AddLoaded(new PromptCacheDirectory(directory.Path, new PromptCacheIdentity(restarted.Model), log.Add).Load());
            Assert.Empty(log);
            int[] b2 = Ask(systemB, 9);
            r = restarted.Prompt(b2);
            Assert.Equal(("disk", 64), (r.CacheSource, r.ReusedPromptTokens));
            AssertSame("B2 after a restart", Cold(cold, b2), restarted, b2.Length);
        }
        finally
        {
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        }
    }

    /// <summary>
    /// Why prompts run in fixed chunks: resuming a Q4_0 prompt at an arbitrary token (a batch of another size) changes bits,
    /// because the batch tile and the one-token kernel sum in different orders. Where this CPU has that tile, this fails if
    /// the kernels ever become batch-invariant (then the chunking could go); elsewhere it shows they already are.
    /// </summary>
    [Fact]
    public void Resuming_a_q4_0_prompt_mid_chunk_changes_bits_where_a_batch_tile_exists()
    {
        using var file = GgufFile.Open(Fixtures.Model("tiny-q4_0.gguf"));
        using var model = TransformerModel.Load(file, new ModelOptions { ContextLength = 128, Threads = 2 });
        int vocab = model.Config.VocabSize;
        int[] tokens = Random(new Random(3), 40, vocab);
        var whole = new float[tokens.Length * vocab];
        var resumed = new float[tokens.Length * vocab];
        model.Forward(tokens, 0, whole, allLogits: true);
        // Resumed one token at a time from position 30: the batch of 8 that a cold run makes of [32, 40) is never formed.
        model.Forward(tokens.AsSpan(0, 30), 0, resumed, allLogits: true);
        for (int p = 30; p < tokens.Length; p++) model.Forward(tokens.AsSpan(p, 1), p, resumed.AsSpan(p * vocab, vocab));
        bool same = whole.AsSpan().SequenceEqual(resumed);
        Assert.Equal(!Dot.TileSupported(GgmlType.Q4_0, 4), same);
    }
}
