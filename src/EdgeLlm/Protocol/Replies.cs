namespace EdgeLlm.Protocol;

/// <summary><c>{"id":"r1","token":"Hel"}</c>: one streamed piece of answer text.</summary>
public sealed record TokenReply(string? Id, string Token);

/// <summary>The final message of a request that ran (or was cancelled while queued).</summary>
public sealed record DoneReply(
    string? Id,
    string Text,
    string FinishReason,
    int PromptTokens,
    int Tokens,
    double PromptTps,
    double Tps,
    int CachedTokens,
    double PromptMs,
    double? TtftMs)
{
    public bool Done => true;
}

/// <summary><c>{"id":"r1","error":{"code":"busy","message":"..."}}</c>.</summary>
public sealed record ErrorReply(string? Id, ErrorBody Error);

public sealed record ErrorBody(string Code, string Message);

/// <summary>The answer to <c>{"op":"status"}</c>.</summary>
public sealed record StatusReply(
    string? Id,
    string Model,
    string Template,
    int ContextSize,
    string State,
    bool Generating,
    int QueueDepth,
    int QueueLength,
    long RequestsServed,
    long RequestsRejected,
    double LastTps,
    double LastPromptTps,
    double UptimeSeconds,
    IReadOnlyDictionary<string, string> Guards,
    IReadOnlyList<PromptCacheSlotReply> PromptCache)
{
    public string Op => "status";
}

/// <summary>A prompt cache slot in the status reply: <c>last_use</c> is UTC, ISO 8601.</summary>
public sealed record PromptCacheSlotReply(int Tokens, long Bytes, DateTime LastUse, bool OnDisk);

/// <summary>What <c>edgellm ask</c> sends: a request as it appears on the wire (nulls are left out).</summary>
public sealed record ClientRequest
{
    public string? Id { get; init; }
    public string? Prompt { get; init; }
    public string? System { get; init; }
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
    public IReadOnlyList<string>? Stop { get; init; }
    public bool? Stream { get; init; }
    public string? Cancel { get; init; }
    public string? Grammar { get; init; }
    public System.Text.Json.JsonElement? JsonSchema { get; init; }
    public string? Format { get; init; }
    public bool? CachePrompt { get; init; }
}
