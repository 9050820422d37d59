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
    private readonly List<int> _cachedTokens = [];
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

    /// <summary>
    /// Called on the generation thread before each generated token; may block (the thermal guard inserts its
    /// throttle pause or holds a paused generation here) and should return early when the token is cancelled.
    /// </summary>
    public Action<CancellationToken>? BeforeEachToken { get; set; }
    public Tokenizer Tokenizer => _tokenizer;

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
        var (reused, evaluated) = EvaluatePrompt(promptTokens, cancellation);
        var promptTime = clock.Elapsed;
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
        return new GenerationResult(text.ToString(), reason, promptTokens.Count, generated, Math.Max(0, reused), promptTime, clock.Elapsed, evaluated);
    }

    /// <summary>How long one prompt slice may take: a cancellation (client, timeout, SIGTERM) waits at most about this long.</summary>
    public static readonly TimeSpan SliceBudget = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Runs the prompt through the model, reusing the cached prefix; returns the reused count (-1 if cancelled) and how
    /// many tokens were evaluated. The prompt goes in slices of at most 64 tokens, sized from the measured speed so that
    /// one slice takes about <see cref="SliceBudget"/>: a 7B model on a Pi 4 runs one token at a time, a small model
    /// keeps the big batches.
    /// </summary>
    private (int Reused, int Evaluated) EvaluatePrompt(IReadOnlyList<int> prompt, CancellationToken cancellation)
    {
        int common = 0;
        while (common < _cachedTokens.Count && common < prompt.Count && _cachedTokens[common] == prompt[common]) common++;
        // The last prompt token is always fed again: its logits start the answer.
        if (common == prompt.Count) common--;
        _cachedTokens.RemoveRange(common, _cachedTokens.Count - common);

        var remaining = new int[prompt.Count - common];
        for (int i = 0; i < remaining.Length; i++) remaining[i] = prompt[common + i];
        const int maxSlice = 64;
        int slice = Math.Min(_sliceHint, maxSlice);
        int done = 0;
        while (done < remaining.Length)
        {
            if (cancellation.IsCancellationRequested) return (-1, done);
            int n = Math.Min(slice, remaining.Length - done);
            long start = Stopwatch.GetTimestamp();
            _model.Forward(remaining.AsSpan(done, n), common + done, _logits);
            for (int i = 0; i < n; i++) _cachedTokens.Add(remaining[done + i]);
            done += n;
            slice = NextSlice(n, Stopwatch.GetElapsedTime(start), maxSlice);
        }
        _sliceHint = slice;
        return (common, done);
    }

    /// <summary>The slice size the next prompt starts with (learned from the last one).</summary>
    private int _sliceHint = 8;

    internal static int NextSlice(int tokens, TimeSpan took, int maxSlice)
    {
        double perToken = took.TotalSeconds / tokens;
        if (perToken <= 0) return maxSlice;
        return (int)Math.Clamp(SliceBudget.TotalSeconds / perToken, 1, maxSlice);
    }

    /// <summary>Forgets the cached prefix (e.g. after the KV cache was used by something else).</summary>
    public void ResetCache() => _cachedTokens.Clear();
}
