using EdgeLlm.Core.Generation;
using EdgeLlm.Core.Gguf;
using EdgeLlm.Core.Model;
using EdgeLlm.Core.Sampling;
using EdgeLlm.Core.Tokenizers;

namespace EdgeLlm.Core.Tests.Generation;

/// <summary>Slot files: written and read back, and every kind of damage is one log line naming the file and a cold start.</summary>
public sealed class PromptCacheDirectoryTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "edgellm-pcd-" + Guid.NewGuid().ToString("N"));
    private readonly GgufFile _file = GgufFile.Open(Fixtures.Model("stories260K.gguf"));
    private readonly TransformerModel _model;
    private readonly TextGenerator _generator;
    private readonly List<string> _log = [];

    public PromptCacheDirectoryTests()
    {
        _model = TransformerModel.Load(_file, new ModelOptions { ContextLength = 256, Threads = 2 });
        _generator = new TextGenerator(_model, Tokenizer.FromGguf(_file));
    }

    public void Dispose()
    {
        _model.Dispose();
        _file.Dispose();
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private static readonly int[] Prompt = [.. Enumerable.Range(0, 100).Select(i => 1 + i * 7 % 500)];

    private PromptCacheDirectory Directory_(PromptCacheIdentity? identity = null) => new(_dir, identity ?? new PromptCacheIdentity(_model), _log.Add);

    /// <summary>Fills a slot from a real prompt and writes it; returns the file.</summary>
    private string WriteOne(TimeSpan persistAfter)
    {
        var cache = new PromptCache(new PromptCacheLimits(4, 64 << 20, persistAfter), Directory_());
        _generator.PromptCache = cache;
        _generator.Generate(Prompt, new GenerationSettings { Sampling = SamplingOptions.Greedy, MaxTokens = 1 });
        cache.Flush();
        return Assert.Single(Directory.GetFiles(_dir, $"prompt-{cache.Directory!.Identity.Key:x16}-*.kv"));
    }

    [Fact]
    public void A_long_prefill_is_written_in_the_background_and_read_back_identical()
    {
        var cache = new PromptCache(new PromptCacheLimits(4, 64 << 20, TimeSpan.Zero), Directory_());
        _generator.PromptCache = cache;
        _generator.Generate(Prompt, new GenerationSettings { Sampling = SamplingOptions.Greedy, MaxTokens = 1 });
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((!Directory.Exists(_dir) || Directory.GetFiles(_dir, "*.kv").Length == 0) && DateTime.UtcNow < deadline) Thread.Sleep(20);
        string file = Assert.Single(Directory.GetFiles(_dir, "*.kv"));
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));

        var loaded = Assert.Single(Directory_().Load());
        var original = Assert.Single(cache.Slots);
        Assert.Equal(original.Tokens, loaded.Tokens);
        Assert.Equal(original.Kv, loaded.Kv);
        Assert.True(loaded.FromDisk);
        Assert.Equal(file, loaded.File);
        Assert.Empty(_log);
    }

    public static IEnumerable<object[]> Damages() =>
    [
        ["a flipped KV byte", "checksum mismatch"],
        ["a flipped token", "do not match the hash"],
        ["truncated", "bytes where the header says"],
        ["empty", "too short"],
        ["another magic", "bad magic"],
        ["another identity", "another model file"],
    ];

    [Theory]
    [MemberData(nameof(Damages))]
    public void A_damaged_file_is_logged_deleted_and_the_prefix_starts_cold(string damage, string reason)
    {
        string file = WriteOne(TimeSpan.MaxValue);
        var bytes = File.ReadAllBytes(file);
        switch (damage)
        {
            case "a flipped KV byte": bytes[^100] ^= 0x20; break;
            case "a flipped token": bytes[96 + 4 * 50] ^= 1; break;
            case "truncated": bytes = bytes[..(bytes.Length / 2)]; break;
            case "empty": bytes = []; break;
            case "another magic": bytes[0] = (byte)'X'; break;
            case "another identity": bytes[32 + 44] ^= 1; break; // the thread count
        }
        File.WriteAllBytes(file, bytes);

        var cache = new PromptCache(new PromptCacheLimits(4, 64 << 20, TimeSpan.MaxValue), Directory_());
        cache.AddLoaded(cache.Directory!.Load());
        Assert.Empty(cache.Slots);
        string line = Assert.Single(_log);
        Assert.Contains(file, line);
        Assert.Contains(reason, line);
        Assert.False(File.Exists(file));

        _generator.ResetCache();
        _generator.PromptCache = cache;
        var result = _generator.Generate(Prompt, new GenerationSettings { Sampling = SamplingOptions.Greedy, MaxTokens = 1 });
        Assert.Equal(0, result.ReusedPromptTokens);
    }

    [Fact]
    public void An_evicted_slot_loses_its_file_so_disk_use_stays_within_the_limits()
    {
        var cache = new PromptCache(new PromptCacheLimits(1, 64 << 20, TimeSpan.MaxValue), Directory_());
        _generator.PromptCache = cache;
        var settings = new GenerationSettings { Sampling = SamplingOptions.Greedy, MaxTokens = 1 };
        _generator.Generate(Prompt, settings);
        cache.Flush();
        string first = Assert.Single(Directory.GetFiles(_dir, "*.kv"));
        _generator.Generate([.. Prompt.Select(t => t + 1)], settings);
        cache.Flush();
        string second = Assert.Single(Directory.GetFiles(_dir, "*.kv"));
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void A_replaced_slot_keeps_its_file_until_the_replacement_is_written_so_a_crash_loses_nothing()
    {
        string first = WriteOne(TimeSpan.MaxValue);
        var cache = _generator.PromptCache!;
        // The same prefix with another ending: it replaces the slot in memory (one slot per system prompt) ...
        int[] sibling = [.. Prompt[..90], .. Enumerable.Range(0, 20).Select(i => 400 + i)];
        var before = Assert.Single(cache.Slots);
        Assert.Equal(first, before.File);
        var r = _generator.Generate(sibling, new GenerationSettings { Sampling = SamplingOptions.Greedy, MaxTokens = 1 });
        Assert.Equal(64, r.ReusedPromptTokens);
        var slot = Assert.Single(cache.Slots);
        Assert.Equal(first, slot.Supersedes);
        Assert.Null(slot.File);
        // ... but until it is written, the older file is what a restart after a crash would find.
        Assert.Equal([first], Directory.GetFiles(_dir, "*.kv"));
        Assert.Single(Directory_().Load());
        cache.Flush();
        string second = Assert.Single(Directory.GetFiles(_dir, "*.kv"));
        Assert.NotEqual(first, second);
        Assert.Equal(slot.File, second);
    }

    [Fact]
    public void No_slot_is_written_when_the_disk_would_keep_less_than_the_reserve()
    {
        var cache = new PromptCache(new PromptCacheLimits(4, 64 << 20, TimeSpan.MaxValue), new PromptCacheDirectory(_dir, new PromptCacheIdentity(_model), _log.Add, keepFree: long.MaxValue / 2));
        _generator.PromptCache = cache;
        _generator.Generate(Prompt, new GenerationSettings { Sampling = SamplingOptions.Greedy, MaxTokens = 1 });
        cache.Flush();
        Assert.Empty(Directory.Exists(_dir) ? Directory.GetFiles(_dir) : []);
        Assert.Contains(_log, l => l.Contains("not enough disk space"));
    }

    [Fact]
    public void Files_of_another_model_are_left_alone()
    {
        Directory.CreateDirectory(_dir);
        string other = Path.Combine(_dir, "prompt-0123456789abcdef-0000000000000001.kv");
        File.WriteAllText(other, "not ours");
        WriteOne(TimeSpan.MaxValue);
        Assert.Single(Directory_().Load());
        Assert.True(File.Exists(other));
        Assert.Empty(_log);
    }
}
