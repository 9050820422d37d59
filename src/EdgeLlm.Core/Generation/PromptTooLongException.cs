namespace EdgeLlm.Core.Generation;

/// <summary>The prompt does not fit in the context window.</summary>
public sealed class PromptTooLongException(int promptTokens, int contextLength)
    : Exception($"the prompt is {promptTokens} tokens long but the context holds {contextLength} tokens")
{
    public int PromptTokens { get; } = promptTokens;
    public int ContextLength { get; } = contextLength;
}
