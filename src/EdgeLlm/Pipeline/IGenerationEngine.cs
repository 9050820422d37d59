using EdgeLlm.Core.Generation;
using EdgeLlm.Core.Prompts;

namespace EdgeLlm.Pipeline;

/// <summary>The loaded model as the pipeline sees it. <see cref="Generate"/> is called from one thread at a time;
/// the other members are thread-safe.</summary>
public interface IGenerationEngine : IDisposable
{
    /// <summary>Model name for status (the file name).</summary>
    string ModelName { get; }

    int ContextLength { get; }

    /// <summary>Worker threads of the loaded model (the count <c>threads: auto</c> chose); 0 when not known.</summary>
    int Threads => 0;

    /// <summary>The template a request gets for <paramref name="name"/> (<c>auto</c>: from the model file).</summary>
    /// <exception cref="ArgumentException">Unknown template name.</exception>
    ChatTemplate ResolveTemplate(string name);

    /// <summary>The prompt's token ids; with a <paramref name="maxTokens"/> budget, stops once there are more than that
    /// (after the word that crossed it) and returns those, so that a prompt over a limit is not tokenized to its end.</summary>
    int[] Encode(RenderedPrompt prompt, int maxTokens = int.MaxValue);

    /// <summary>The most text bytes one token stands for (0: unknown); see <see cref="RequestMapper"/>'s cheap length bound.</summary>
    int LongestTokenBytes => 0;

    /// <summary>The prompt cache's slots for status (thread-safe); empty when there is none.</summary>
    IReadOnlyList<PromptCacheSlotStatus> PromptCacheSlots => [];

    /// <summary>Writes the prompt cache's slots to disk (at stop, once the worker has stopped).</summary>
    void SavePromptCache() { }

    /// <summary>Runs one generation; see <see cref="TextGenerator.Generate"/>.</summary>
    GenerationResult Generate(int[] promptTokens, GenerationSettings settings, Action<string> onText, CancellationToken cancellation);
}
