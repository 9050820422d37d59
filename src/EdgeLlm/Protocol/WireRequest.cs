using EdgeLlm.Core.Prompts;

namespace EdgeLlm.Protocol;

/// <summary>
/// One client line after parsing (<see cref="WireParser"/>): a generation request, a cancel, a status query,
/// or a line that could not be understood. Transport-neutral: the socket and MQTT transports share it.
/// </summary>
public abstract record WireLine;

/// <summary>A generation request. Only <see cref="Prompt"/> (or <see cref="Messages"/>) is required; null means "use the daemon default".</summary>
public sealed record WireRequest : WireLine
{
    public string? Id { get; init; }
    public string? Prompt { get; init; }
    public string? System { get; init; }
    public IReadOnlyList<ChatMessage>? Messages { get; init; }
    public string? Template { get; init; }
    public int? MaxTokens { get; init; }
    public float? Temperature { get; init; }
    public int? TopK { get; init; }
    public float? TopP { get; init; }
    public float? MinP { get; init; }
    public float? RepeatPenalty { get; init; }
    public float? FrequencyPenalty { get; init; }
    public float? PresencePenalty { get; init; }
    public ulong? Seed { get; init; }

    /// <summary>Tokens the repetition penalties look back on (HTTP <c>repeat_last_n</c>); null = the daemon default.</summary>
    public int? PenaltyWindow { get; init; }
    public IReadOnlyList<string>? Stop { get; init; }
    public bool Stream { get; init; }

    /// <summary>Let a thinking model (Qwen3) think before answering; null = the daemon default (config <c>think</c>).</summary>
    public bool? Think { get; init; }
    /// <summary>False: compute the prompt from its first token and keep it out of the prompt cache; null = true.</summary>
    public bool? CachePrompt { get; init; }

    /// <summary>GBNF text the answer must match.</summary>
    public string? Grammar { get; init; }

    /// <summary>The JSON text of a JSON Schema object the answer must match.</summary>
    public string? JsonSchema { get; init; }

    /// <summary>Ollama's spelling: <c>"json"</c> for any JSON value, or the JSON text of a schema object (starts with '{').</summary>
    public string? Format { get; init; }
}

/// <summary>
/// <c>{"cancel":"r1"}</c>: cancel the request with that id (on the same connection). An error about it (no such
/// request) is tagged with the line's own <c>id</c> if it has one, else with the target's.
/// </summary>
public sealed record WireCancel(string TargetId, string? Id = null) : WireLine
{
    public string ReplyId => Id ?? TargetId;
}

/// <summary><c>{"op":"status"}</c> (optionally with an <c>id</c> echoed in the reply).</summary>
public sealed record WireStatus(string? Id) : WireLine;

/// <summary>A line that is not a valid message; <see cref="Id"/> is set when the line got far enough to name one.</summary>
public sealed record WireInvalid(string? Id, string Code, string Message) : WireLine;
