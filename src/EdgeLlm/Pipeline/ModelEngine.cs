using EdgeLlm.Core.Generation;
using EdgeLlm.Core.Gguf;
using EdgeLlm.Core.Model;
using EdgeLlm.Core.Prompts;
using EdgeLlm.Core.Sampling;
using EdgeLlm.Core.Tokenizers;

namespace EdgeLlm.Pipeline;

/// <summary>A memory-mapped GGUF model (any supported architecture) with its tokenizer and generator: the production <see cref="IGenerationEngine"/>.</summary>
public sealed class ModelEngine : IGenerationEngine
{
    private readonly GgufFile _file;
    private readonly TransformerModel _model;
    private readonly Tokenizer _tokenizer;
    private readonly TextGenerator _generator;
    private readonly string? _ggufTemplate;

    private readonly PromptCache? _promptCache;

    /// <param name="promptCache">Slots and bytes of the prompt cache, and its directory (null: kept in memory only); null: none.</param>
    /// <exception cref="GgufException">The file is not a usable GGUF model.</exception>
    public ModelEngine(string path, ModelOptions options, PromptCacheOptions? promptCache = null)
    {
        _file = GgufFile.Open(path);
        try
        {
            _tokenizer = Tokenizer.FromGguf(_file);
            _model = TransformerModel.Load(_file, options);
            _generator = new TextGenerator(_model, _tokenizer);
            _ggufTemplate = _file.GetStringOrNull("tokenizer.chat_template");
            if (promptCache is { Limits.Slots: > 0 })
            {
                var identity = new PromptCacheIdentity(_model);
                var directory = promptCache.Directory is { } d ? new PromptCacheDirectory(d, identity, options.Log) : null;
                _promptCache = new PromptCache(promptCache.Limits, directory);
                if (directory != null)
                {
                    _promptCache.AddLoaded(directory.Load());
                    var slots = _promptCache.Slots;
                    options.Log?.Invoke($"prompt cache: {slots.Count} slot{(slots.Count == 1 ? "" : "s")} ({slots.Sum(s => s.Count)} tokens) read from {directory.Path}");
                }
                _generator.PromptCache = _promptCache;
            }
        }
        catch
        {
            _model?.Dispose();
            _file.Dispose();
            throw;
        }
        ModelName = Path.GetFileName(path);
    }

    public string ModelName { get; }

    /// <summary>Runs on the generation thread before each token (the thermal guard's throttle and pause).</summary>
    public Action<CancellationToken>? BeforeEachToken
    {
        get => _generator.BeforeEachToken;
        set => _generator.BeforeEachToken = value;
    }

    /// <summary>Reads the mapped weights (<see cref="TransformerModel.MappedRanges"/>) once so that the first answer does not wait on the storage.</summary>
    public unsafe void Prefetch(Action<int> progress)
    {
        var ranges = _model.MappedRanges();
        long total = ranges.Sum(r => r.Length), done = 0;
        int last = -1;
        foreach (var (start, length) in ranges)
        {
            long before = done;
            Guards.ModelResidency.Prefetch((byte*)start, length, p =>
            {
                int overall = (int)((before + length * p / 100) * 100 / Math.Max(1, total)) / 10 * 10;
                if (overall > last) progress(last = overall);
            });
            done += length;
        }
    }

    /// <summary>Whether the interleaved weight cache is in use (then <see cref="LockWeights"/> locks it and not the replaced matrices).</summary>
    public bool UsesInterleavedCache => _model.InterleavedCache != null;

    /// <summary>mlock over <see cref="TransformerModel.MappedRanges"/>; null, or why not.</summary>
    public unsafe string? LockWeights()
    {
        foreach (var (start, length) in _model.MappedRanges())
            if (Guards.ModelResidency.TryLock((byte*)start, length) is { } problem) return problem;
        return null;
    }
    public int ContextLength => _model.ContextLength;
    public int Threads => _model.Threads;
    public int VocabSize => _model.Config.VocabSize;
    public long KvCacheBytes => _model.Cache.TotalBytes;

    public ChatTemplate ResolveTemplate(string name) => ChatTemplates.Resolve(name, _ggufTemplate);

    public int[] Encode(RenderedPrompt prompt, int maxTokens = int.MaxValue) =>
        PromptEncoder.Encode(_tokenizer, prompt, addBos: _tokenizer.AddBos, maxTokens);

    public int LongestTokenBytes => _tokenizer.LongestPieceBytes;

    /// <summary>Runs one token through the model so that the first request does not pay for page faults and first-use costs.</summary>
    public GenerationResult WarmUp()
    {
        int[] prompt = _tokenizer.AddBos ? [_tokenizer.BosId] : Encode(ChatTemplates.Raw.Render([ChatMessage.User("Hello")]));
        return _generator.Generate(prompt, new GenerationSettings { Sampling = SamplingOptions.Greedy, MaxTokens = 1 });
    }

    public IReadOnlyList<PromptCacheSlotStatus> PromptCacheSlots =>
        _promptCache is { } cache ? [.. cache.Slots.Select(s => new PromptCacheSlotStatus(s.Count, s.Bytes, s.LastUse, s.File != null))] : [];

    public void SavePromptCache() => _promptCache?.Flush();

    public GenerationResult Generate(int[] promptTokens, GenerationSettings settings, Action<string> onText, CancellationToken cancellation)
    {
        try
        {
            return _generator.Generate(promptTokens, settings, onText, cancellation);
        }
        catch (Exception e) when (e is not PromptTooLongException)
        {
            // The cache may hold a half-written sequence: forget it rather than reuse it.
            _generator.ResetCache();
            throw;
        }
    }

    public void Dispose()
    {
        _model.Dispose();
        _file.Dispose();
    }
}
