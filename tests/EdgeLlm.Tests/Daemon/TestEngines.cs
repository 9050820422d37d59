using System.Collections.Concurrent;
using EdgeLlm.Core.Generation;
using EdgeLlm.Core.Model;
using EdgeLlm.Core.Prompts;
using EdgeLlm.Pipeline;

namespace EdgeLlm.Tests.Daemon;

/// <summary>The real stories260K engine, optionally slowed down per token so that tests can act mid-answer.</summary>
/// <remarks>A <paramref name="stubborn"/> engine sleeps through cancellation, like a model busy in a long forward pass.</remarks>
internal sealed class SlowEngine(IGenerationEngine inner, TimeSpan perToken, bool stubborn = false) : IGenerationEngine
{
    public static ModelEngine Stories() => new(Fixtures.Model("stories260K.gguf"), new ModelOptions { ContextLength = 512, Threads = 1 });

    public static SlowEngine Create(TimeSpan perToken, bool stubborn = false) => new(Stories(), perToken, stubborn);

    /// <summary>How many generations ran to completion (any finish reason).</summary>
    public int Generations;

    public string ModelName => inner.ModelName;
    public int ContextLength => inner.ContextLength;
    public ChatTemplate ResolveTemplate(string name) => inner.ResolveTemplate(name);
    public int[] Encode(RenderedPrompt prompt, int maxTokens = int.MaxValue)
    {
        Interlocked.Increment(ref Encodes);
        int[] tokens = inner.Encode(prompt, maxTokens);
        LastEncodedLength = tokens.Length;
        return tokens;
    }

    /// <summary>How many prompts were tokenized.</summary>
    public int Encodes;

    /// <summary>How many ids the last tokenization returned (fewer than the prompt's when it stopped at a budget).</summary>
    public volatile int LastEncodedLength;

    public int LongestTokenBytes => inner.LongestTokenBytes;

    public GenerationResult Generate(int[] promptTokens, GenerationSettings settings, Action<string> onText, CancellationToken cancellation)
    {
        var result = inner.Generate(promptTokens, settings, piece =>
        {
            // Wakes early on cancellation, as a real slow model would notice it at the next token.
            if (stubborn) Thread.Sleep(perToken);
            else if (perToken > TimeSpan.Zero) cancellation.WaitHandle.WaitOne(perToken);
            onText(piece);
        }, cancellation);
        Interlocked.Increment(ref Generations);
        return result;
    }

    public void Dispose() => inner.Dispose();
}

/// <summary>Records what the pipeline sends, in order.</summary>
internal sealed class RecordingSink : IResponseSink
{
    public readonly ConcurrentQueue<string> Events = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<string>> _terminal = new();

    public void OnToken(GenerationRequest request, string text) => Events.Enqueue($"{request.Id}:token:{text}");

    public void OnDone(GenerationRequest request, RequestCompletion completion)
    {
        Events.Enqueue($"{request.Id}:done:{completion.FinishReason}");
        Terminal(request.Id).TrySetResult($"done:{completion.FinishReason}:{completion.Text}");
    }

    public void OnError(GenerationRequest request, string code, string message)
    {
        Events.Enqueue($"{request.Id}:error:{code}");
        Terminal(request.Id).TrySetResult($"error:{code}:{message}");
    }

    public TaskCompletionSource<string> Terminal(string? id) => _terminal.GetOrAdd(id ?? "", _ => new(TaskCreationOptions.RunContinuationsAsynchronously));

    public async Task<string> WaitAsync(string id) => await Terminal(id).Task.WaitAsync(TimeSpan.FromSeconds(20));
}
