using EdgeLlm.Http.Tools;

namespace EdgeLlm.Http;

/// <summary>A chat or completion request of either HTTP API, in the daemon's terms (null = the daemon default).</summary>
internal sealed record ChatInput
{
    public IReadOnlyList<ApiMessage> Messages { get; init; } = [];
    public IReadOnlyList<ToolDefinition> Tools { get; init; } = [];
    public bool ToolCallRequired { get; init; }

    /// <summary>Several calls in one answer (OpenAI's <c>parallel_tool_calls</c>; ollama always allows them).</summary>
    public bool ParallelToolCalls { get; init; } = true;
    public bool JsonObject { get; init; }
    public string? JsonSchema { get; init; }
    public bool? Think { get; init; }

    /// <summary>llama.cpp's <c>cache_prompt</c>: false computes the prompt cold and keeps it out of the prompt cache.</summary>
    public bool? CachePrompt { get; init; }
    public string? Template { get; init; }
    public int? MaxTokens { get; init; }
    public float? Temperature { get; init; }
    public float? TopP { get; init; }
    public int? TopK { get; init; }
    public float? MinP { get; init; }
    public float? RepeatPenalty { get; init; }
    public int? RepeatLastN { get; init; }
    public float? FrequencyPenalty { get; init; }
    public float? PresencePenalty { get; init; }
    public ulong? Seed { get; init; }
    public IReadOnlyList<string> Stop { get; init; } = [];
}
