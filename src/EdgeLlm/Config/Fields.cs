namespace EdgeLlm.Config;

/// <summary>The range of every numeric setting that more than one front door accepts (see <see cref="NumberField"/>).</summary>
public static class Fields
{
    // Sampling: the request fields and the daemon's defaults for them.
    public static readonly NumberField Temperature = new("temperature", 0, 100);
    public static readonly NumberField TopK = new("top_k", 0, 1 << 20, Integer: true);
    public static readonly NumberField TopP = new("top_p", 0, 1, MinExclusive: true);
    public static readonly NumberField MinP = new("min_p", 0, 1);
    public static readonly NumberField RepeatPenalty = new("repeat_penalty", 0, 100, MinExclusive: true);
    public static readonly NumberField RepeatLastN = new("repeat_last_n", -1, 1 << 20, Integer: true);
    public static readonly NumberField FrequencyPenalty = new("frequency_penalty", -100, 100);
    public static readonly NumberField PresencePenalty = new("presence_penalty", -100, 100);

    // Answer length; a request's max_tokens is further capped by max_answer_tokens.
    public static readonly NumberField MaxTokens = new("max_tokens", 0, 1 << 20, Integer: true);

    // Engine.
    public static readonly NumberField ContextSize = new("context_size", 0, 1 << 20, Integer: true);
    public static readonly ThreadCountField Threads = new();
}
