using System.Diagnostics;
using EdgeLlm.Core.Model;
using EdgeLlm.Core.Sampling;
using EdgeLlm.Core.Sampling.Grammar;
using EdgeLlm.Core.Tokenizers;

namespace EdgeLlm.Core.Generation;

/// <summary>Streams an answer: prompt tokens in, text pieces out, with stop handling and figures.</summary>
/// <remarks>
/// Keeps the tokens of the previous request in the KV cache and reuses the longest common prefix,
/// so a long system prompt repeated across requests is processed only once. One generator drives one
/// model: calls must not overlap.
/// </remarks>
public sealed class TextGenerator
{
    private readonly TransformerModel _model;
    private readonly Tokenizer _tokenizer;
    private readonly float[] _logits;
    // The tokens whose keys and values the live KV cache holds; positions [0, _liveComplete) were computed in whole
    // prompt chunks and may be reused (see PromptChunks), and _liveSlot is the prompt cache slot holding the same prefix.
    private readonly List<int> _cachedTokens = [];
    private int _liveComplete;
    private PromptCacheSlot? _liveSlot;
    private readonly GrammarTableCache _grammarTables = new();

    public TextGenerator(TransformerModel model, Tokenizer tokenizer)
    {
        if (tokenizer.VocabSize != model.Config.VocabSize)
            throw new ArgumentException($"tokenizer has {tokenizer.VocabSize} tokens but the model's vocabulary is {model.Config.VocabSize}");
        _model = model;
        _tokenizer = tokenizer;
        _logits = new float[model.Config.VocabSize];
    }

    public TransformerModel Model => _model;

    /// <summary>Cached prefixes beside the live KV cache (several conversations kept warm); null: the live cache only.</summary>
    public PromptCache? PromptCache { get; set; }

    /// <summary>
    /// Called on the generation thread before each generated token; may block (the thermal guard inserts its
    /// throttle pause or holds a paused generation here) and should return early when the token is cancelled.
    /// </summary>
    public Action<CancellationToken>? BeforeEachToken { get; set; }
    public Tokenizer Tokenizer => _tokenizer;

    /// <summary>The logits of the last forward pass: after a generation with no token, the prompt's (tests compare them bit for bit).</summary>
    public ReadOnlySpan<float> LastLogits => _logits;

    /// <summary>Generates after <paramref name="promptTokens"/>, calling <paramref name="onText"/> with each piece of answer text.</summary>
    /// <exception cref="PromptTooLongException">The prompt does not fit in the context.</exception>
    public GenerationResult Generate(IReadOnlyList<int> promptTokens, GenerationSettings settings, Action<string>? onText = null, CancellationToken cancellation = default)
    {
        int context = _model.ContextLength;
        if (promptTokens.Count == 0) throw new ArgumentException("the prompt is empty", nameof(promptTokens));
        if (promptTokens.Count > context) throw new PromptTooLongException(promptTokens.Count, context);
        settings.Sampling.Validate();
        if (settings.MaxTokens < 0) throw new ArgumentOutOfRangeException(nameof(settings), "max tokens must not be negative");

        var sampler = new Sampler(settings.Sampling, _tokenizer.VocabSize);
        var constraint = settings.Constraint?.CreateMatcher(_tokenizer, _grammarTables);
        foreach (int t in promptTokens) sampler.Accept(t);
        var stop = new StopStringMatcher(settings.StopStrings);
        var decoder = _tokenizer.CreateDecoder(stripLeadingSpace: _tokenizer.AddBos && promptTokens[0] == _tokenizer.BosId && promptTokens.Count == 1);
        var text = new System.Text.StringBuilder();
        var thinking = settings.HideThinking ? new ThinkingFilter() : null;

        var clock = Stopwatch.StartNew();
        var (reused, evaluated) = EvaluatePrompt(promptTokens, settings.CachePrompt, cancellation);
        var promptTime = clock.Elapsed;
        if (reused >= 0 && settings.CachePrompt) RememberPrompt(promptTokens, reused, promptTime);
        TimeSpan? firstToken = null;
        clock.Restart();

        int position = promptTokens.Count;
        int generated = 0;
        var reason = FinishReason.Length;
        void Emit(string piece, bool last = false)
        {
            if (thinking != null) piece = thinking.Push(piece) + (last ? thinking.Flush() : "");
            if (piece.Length == 0) return;
            text.Append(piece);
            onText?.Invoke(piece);
        }

        if (reused < 0)
        {
            reason = FinishReason.Cancelled;
        }
        else
        {
            while (true)
            {
                // A grammar that is complete with nothing allowed after it ends the answer (also before the first token).
                if (constraint is { MustEnd: true }) { reason = FinishReason.Stop; break; }
                if (generated >= settings.MaxTokens) { reason = FinishReason.Length; break; }
                BeforeEachToken?.Invoke(cancellation);
                if (cancellation.IsCancellationRequested) { reason = FinishReason.Cancelled; break; }
                int token = sampler.Sample(_logits, constraint);
                firstToken ??= promptTime + clock.Elapsed;
                sampler.Accept(token);
                generated++;
                if (_tokenizer.EndOfGenerationIds.Contains(token)) { reason = FinishReason.Stop; break; }
                constraint?.Accept(token);

                var match = stop.Push(decoder.Append(token));
                Emit(match.Text);
                if (match.Stopped) { reason = FinishReason.Stop; break; }
                if (constraint is { MustEnd: true }) { reason = FinishReason.Stop; break; }
                if (generated >= settings.MaxTokens) { reason = FinishReason.Length; break; }
                if (position >= context) { reason = FinishReason.Context; break; }

                _model.Forward([token], position, _logits);
                _cachedTokens.Add(token);
                position++;
            }
        }

        // The held-back text: the decoder's and stop matcher's (unless a stop string ended it), and the thinking filter's.
        Emit(reason != FinishReason.Stop || !stop.IsStopped ? stop.Push(decoder.Flush()).Text + stop.Flush() : "", last: true);
        return new GenerationResult(text.ToString(), reason, promptTokens.Count, generated, Math.Max(0, reused), promptTime, clock.Elapsed, evaluated)
        {
            TimeToFirstToken = firstToken,
            CacheSource = reused > 0 ? _source : null,
        };
    }

    /// <summary>How long one prompt slice may take: a cancellation (client, timeout, SIGTERM) waits at most about this long.</summary>
    public static readonly TimeSpan SliceBudget = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Runs the prompt through the model, reusing the longest cached prefix: the live KV cache's, or a prompt cache slot's
    /// copied into it. Returns the reused count (-1 if cancelled) and how many tokens were evaluated. The prompt runs in
    /// chunks of <see cref="TransformerModel.PromptChunk"/> tokens at fixed absolute positions (<see cref="PromptChunks"/>:
    /// what makes a warm run bit-identical to a cold one), grouped into slices of whole chunks sized from the measured
    /// speed so that one slice takes about <see cref="SliceBudget"/> (one chunk at least).
    /// </summary>
    private (int Reused, int Evaluated) EvaluatePrompt(IReadOnlyList<int> prompt, bool usePromptCache, CancellationToken cancellation)
    {
        int chunk = _model.PromptChunk;
        int reused = usePromptCache ? PromptChunks.Reusable(PromptChunks.CommonPrefix(_cachedTokens, prompt, _liveComplete), prompt.Count, chunk) : 0;
        var source = reused > 0 ? _liveSlot : null;
        _source = reused > 0 ? "memory" : null;
        if (usePromptCache && PromptCache is { } cache && cache.Best(prompt) is ({ } slot, int common)
            && PromptChunks.Reusable(common, prompt.Count, chunk) is var fromSlot && fromSlot > reused)
        {
            // Another conversation's prefix: copy its rows into the live cache instead of recomputing them.
            _model.Cache.Restore(slot.Kv, slot.Count, fromSlot);
            _cachedTokens.Clear();
            for (int i = 0; i < fromSlot; i++) _cachedTokens.Add(slot.Tokens[i]);
            (reused, source, _source) = (fromSlot, slot, slot.FromDisk ? "disk" : "slot");
        }
        if (source != null) PromptCache?.Touch(source);
        _cachedTokens.RemoveRange(reused, _cachedTokens.Count - reused);
        _liveComplete = reused;
        _liveSlot = source;

        int remaining = prompt.Count - reused;
        var tokens = _promptScratch.Length >= remaining ? _promptScratch : _promptScratch = new int[remaining];
        for (int i = 0; i < remaining; i++) tokens[i] = prompt[reused + i];
        const int maxSlice = 64;
        int slice = Math.Max(1, Math.Min(_sliceHint, maxSlice) / chunk) * chunk;
        int done = 0;
        while (done < remaining)
        {
            if (cancellation.IsCancellationRequested) return (-1, done);
            int n = Math.Min(slice, remaining - done);
            long start = Stopwatch.GetTimestamp();
            _model.Forward(tokens.AsSpan(done, n), reused + done, _logits);
            for (int i = 0; i < n; i++) _cachedTokens.Add(tokens[done + i]);
            done += n;
            _liveComplete = PromptChunks.Complete(reused + done, chunk);
            _sliceHint = NextSlice(n, Stopwatch.GetElapsedTime(start), maxSlice);
            slice = Math.Max(1, _sliceHint / chunk) * chunk;
        }
        return (reused, done);
    }

    /// <summary>
    /// Keeps the prompt's whole chunks in a prompt cache slot (replacing the slot it started from when that was the same
    /// conversation), and writes it to disk in the background after a long prefill.
    /// </summary>
    private void RememberPrompt(IReadOnlyList<int> prompt, int reused, TimeSpan promptTime)
    {
        if (PromptCache is not { } cache) return;
        int complete = PromptChunks.Complete(prompt.Count, _model.PromptChunk);
        if (complete == 0) return;
        if (_liveSlot is { } current && current.Count == complete && PromptChunks.CommonPrefix(current.Tokens, prompt, complete) == complete) return;
        var tokens = new int[complete];
        for (int i = 0; i < complete; i++) tokens[i] = prompt[i];
        var slot = cache.Remember(tokens, _model.Cache, _liveSlot, reused);
        if (slot is null) return;
        _liveSlot = slot;
        if (promptTime >= cache.Limits.PersistAfter) cache.PersistInBackground(slot);
    }

    /// <summary>Where the last prompt's reused prefix came from: null (cold), memory (the live cache), slot, or disk.</summary>
    private string? _source;
    private int[] _promptScratch = [];

    /// <summary>The slice size the next prompt starts with (learned from the last one).</summary>
    private int _sliceHint = 8;

    internal static int NextSlice(int tokens, TimeSpan took, int maxSlice)
    {
        double perToken = took.TotalSeconds / tokens;
        if (perToken <= 0) return maxSlice;
        return (int)Math.Clamp(SliceBudget.TotalSeconds / perToken, 1, maxSlice);
    }

    /// <summary>Forgets the live cache's prefix (e.g. after a failure mid-prompt); prompt cache slots are copies and stay valid.</summary>
    public void ResetCache()
    {
        _cachedTokens.Clear();
        _liveComplete = 0;
        _liveSlot = null;
    }
}
