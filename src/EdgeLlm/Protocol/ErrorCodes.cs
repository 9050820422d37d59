namespace EdgeLlm.Protocol;

/// <summary>The <c>error.code</c> values of the wire protocol.</summary>
public static class ErrorCodes
{
    /// <summary>The line is not valid UTF-8/JSON, too long, has unknown fields, fields of the wrong type or out-of-range values.</summary>
    public const string BadRequest = "bad_request";

    /// <summary>The prompt does not fit the context (or <c>max_prompt_tokens</c>).</summary>
    public const string TooLong = "too_long";

    /// <summary>The queue is full or the daemon is starting or shutting down: try again later.</summary>
    public const string Busy = "busy";

    /// <summary>The request timed out while still queued (a started one ends with <c>finish_reason: "timeout"</c>).</summary>
    public const string Timeout = "timeout";

    /// <summary>Something failed inside the daemon; it is logged and the daemon keeps serving.</summary>
    public const string Internal = "internal";
}
