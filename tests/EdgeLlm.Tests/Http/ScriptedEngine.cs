using System.Collections.Concurrent;
using EdgeLlm.Core.Generation;
using EdgeLlm.Core.Prompts;
using EdgeLlm.Pipeline;

namespace EdgeLlm.Tests.Http;

/// <summary>
/// A model that says what the test scripted (random weights cannot choose to call a tool): each generation emits the
/// next scripted answer in small pieces, as a real model streams tokens; with no script left it runs the real model.
/// Prompts are still encoded by the real tokenizer, so limits and templates behave as in production.
/// </summary>
/// <param name="contextLength">Context the engine claims (0 = the real one): long tool prompts of a test need more than a
/// tiny fixture has, and scripted answers never run the model on them.</param>
internal sealed class ScriptedEngine(IGenerationEngine inner, TimeSpan perPiece = default, int contextLength = 0) : IGenerationEngine
{
    private readonly ConcurrentQueue<string> _answers = new();
    private readonly List<(string PromptContains, string Answer)> _rules = [];
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<int[], string> _promptTexts = [];

    /// <summary>The prompts the engine was asked to continue, decoded as the template rendered them.</summary>
    public readonly ConcurrentQueue<int[]> Prompts = new();

    public ScriptedEngine Say(params string[] answers)
    {
        foreach (var a in answers) _answers.Enqueue(a);
        return this;
    }

    /// <summary>Answers <paramref name="answer"/> whenever the rendered prompt contains <paramref name="promptContains"/> (first rule wins).</summary>
    public ScriptedEngine When(string promptContains, string answer)
    {
        lock (_rules) _rules.Add((promptContains, answer));
        return this;
    }

    public string ModelName => inner.ModelName;
    public int ContextLength => contextLength > 0 ? contextLength : inner.ContextLength;
    public ChatTemplate ResolveTemplate(string name) => inner.ResolveTemplate(name);
    public int[] Encode(RenderedPrompt prompt, int maxTokens = int.MaxValue)
    {
        int[] tokens = inner.Encode(prompt, maxTokens);
        _promptTexts.AddOrUpdate(tokens, prompt.ToPlainString());
        return tokens;
    }

    private string? Scripted(int[] promptTokens)
    {
        if (_answers.TryDequeue(out var answer)) return answer;
        if (!_promptTexts.TryGetValue(promptTokens, out var text)) return null;
        lock (_rules)
            foreach (var (contains, reply) in _rules)
                if (text.Contains(contains, StringComparison.Ordinal)) return reply;
        return null;
    }

    public GenerationResult Generate(int[] promptTokens, GenerationSettings settings, Action<string> onText, CancellationToken cancellation)
    {
        Prompts.Enqueue(promptTokens);
        if (Scripted(promptTokens) is not { } answer) return inner.Generate(promptTokens, settings, onText, cancellation);
        int pieces = 0;
        for (int i = 0; i < answer.Length; i += 3)
        {
            if (cancellation.IsCancellationRequested)
                return new GenerationResult(answer[..i], FinishReason.Cancelled, promptTokens.Length, pieces, 0, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(1));
            if (perPiece > TimeSpan.Zero) cancellation.WaitHandle.WaitOne(perPiece);
            onText(answer.Substring(i, Math.Min(3, answer.Length - i)));
            pieces++;
        }
        return new GenerationResult(answer, FinishReason.Stop, promptTokens.Length, pieces, 0, TimeSpan.FromMilliseconds(2), TimeSpan.FromMilliseconds(10));
    }

    public void Dispose() => inner.Dispose();
}
