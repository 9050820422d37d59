namespace EdgeLlm.Core.Generation;

/// <summary>Why a generation ended.</summary>
public enum FinishReason
{
    /// <summary>An end-of-generation token or a stop string.</summary>
    Stop,

    /// <summary>The token limit (max_tokens).</summary>
    Length,

    /// <summary>The context is full: the answer was cut by the model's window, not by max_tokens.</summary>
    Context,

    /// <summary>The caller's cancellation token fired.</summary>
    Cancelled,
}

public static class FinishReasonNames
{
    public static string ToWireName(this FinishReason reason) => reason switch
    {
        FinishReason.Stop => "stop",
        FinishReason.Length => "length",
        FinishReason.Context => "context",
        _ => "cancelled",
    };
}
