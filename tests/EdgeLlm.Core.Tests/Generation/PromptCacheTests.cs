using EdgeLlm.Core.Generation;
using EdgeLlm.Core.Gguf;
using EdgeLlm.Core.Model;
using EdgeLlm.Core.Sampling;
using EdgeLlm.Core.Tokenizers;

namespace EdgeLlm.Core.Tests.Generation;

/// <summary>Slots, limits and eviction of the prompt cache, on stories260K's real KV cache.</summary>
public sealed class PromptCacheTests : IDisposable
{
    private readonly GgufFile _file = GgufFile.Open(Fixtures.Model("stories260K.gguf"));
    private readonly TransformerModel _model;
    private readonly TextGenerator _generator;

    public PromptCacheTests()
    {
        _model = TransformerModel.Load(_file, new ModelOptions { ContextLength = 256, Threads = 2 });
        _generator = new TextGenerator(_model, Tokenizer.FromGguf(_file));
    }

    public void Dispose()
    {
        _model.Dispose();
        _file.Dispose();
    }

    private static int[] Tokens(int seed, int count) => [.. Enumerable.Range(0, count).Select(i => 1 + (seed * 131 + i * 17) % 500)];

    private GenerationResult Ask(int[] prompt) =>
        _generator.Generate(prompt, new GenerationSettings { Sampling = SamplingOptions.Greedy, MaxTokens = 1 });

    [Fact]
    public void Alternating_system_prompts_each_keep_their_slot_and_are_served_warm()
    {
        var cache = new PromptCache(new PromptCacheLimits(2, 64 << 20, TimeSpan.MaxValue));
        _generator.PromptCache = cache;
        int[] a = Tokens(1, 100), b = Tokens(2, 100);
        var results = new List<GenerationResult>();
        for (int round = 0; round < 3; round++)
        {
            results.Add(Ask([.. a, .. Tokens(10 + round, 7)]));
            results.Add(Ask([.. b, .. Tokens(20 + round, 9)]));
        }
        Assert.Equal([0, 0, 96, 96, 96, 96], results.Select(r => r.ReusedPromptTokens));
        Assert.Equal([null, null, "slot", "slot", "slot", "slot"], results.Select(r => r.CacheSource));
        Assert.Equal(2, cache.Slots.Count);
        Assert.All(cache.Slots, s => Assert.Equal(96, s.Count));
        Assert.Equal(2 * 96 * _model.Cache.BytesPerPosition, cache.Bytes);
    }

    [Fact]
    public void The_least_recently_used_slot_goes_first_when_slots_or_bytes_run_out()
    {
        var cache = new PromptCache(new PromptCacheLimits(2, 64 << 20, TimeSpan.MaxValue));
        _generator.PromptCache = cache;
        int[] a = Tokens(1, 70), b = Tokens(2, 70), c = Tokens(3, 70);
        Ask(a);
        Ask(b);
        Ask([.. a, 5]); // A used again: B is now the oldest
        Ask(c);
        Assert.Equal(2, cache.Slots.Count);
        Assert.Equal(64, cache.Best(a).Common);
        Assert.Equal(64, cache.Best(c).Common);
        Assert.True(cache.Best(b).Common < 32);

        // A byte budget of one 64-token slot keeps only the newest.
        long one = 64 * _model.Cache.BytesPerPosition;
        var small = new PromptCache(new PromptCacheLimits(8, one, TimeSpan.MaxValue));
        _generator.PromptCache = small;
        Ask(a);
        Ask(b);
        Assert.Single(small.Slots);
        Assert.Equal(b[..64], small.Slots[0].Tokens);
        Assert.True(small.Bytes <= one);

        // A slot larger than the whole budget is not kept at all.
        var tiny = new PromptCache(new PromptCacheLimits(8, one - 1, TimeSpan.MaxValue));
        _generator.PromptCache = tiny;
        Ask(a);
        Assert.Empty(tiny.Slots);
    }

    [Fact]
    public void A_conversation_that_grows_keeps_one_slot_and_a_new_one_shares_only_its_system_prompt()
    {
        var cache = new PromptCache(new PromptCacheLimits(4, 64 << 20, TimeSpan.MaxValue));
        _generator.PromptCache = cache;
        int[] system = Tokens(1, 40);
        int[] turn1 = [.. system, .. Tokens(2, 30)];
        int[] turn2 = [.. turn1, .. Tokens(3, 40)];
        Ask(turn1);
        Ask(turn2);
        Assert.Single(cache.Slots);
        Assert.Equal(96, cache.Slots[0].Count);
        // Another conversation with the same system prompt reuses 32 of 96: a new slot, the long one stays.
        Ask([.. system, .. Tokens(4, 60)]);
        Assert.Equal(2, cache.Slots.Count);
    }

    [Fact]
    public void Cache_prompt_false_reuses_nothing_and_keeps_nothing()
    {
        var cache = new PromptCache(new PromptCacheLimits(4, 64 << 20, TimeSpan.MaxValue));
        _generator.PromptCache = cache;
        int[] a = Tokens(1, 80);
        var settings = new GenerationSettings { Sampling = SamplingOptions.Greedy, MaxTokens = 1, CachePrompt = false };
        Assert.Equal(0, _generator.Generate(a, settings).ReusedPromptTokens);
        Assert.Equal(0, _generator.Generate(a, settings).ReusedPromptTokens);
        Assert.Empty(cache.Slots);
        Assert.Equal(64, Ask(a).ReusedPromptTokens); // the live cache still holds it for a request that wants it
    }
}
