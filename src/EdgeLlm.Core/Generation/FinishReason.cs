namespace EdgeLlm.Core.Generation;

/// <summary>Why a generation ended.</summary>
public enum FinishReason
{
    /// <summary>An end-of-generation token or a stop string.</summary>
    Stop,

    /// <summary>The token limit or the end of the context.</summary>
    Length,

    /// <summary>The caller's cancellation token fired.</summary>
    Cancelled,
}

public static class FinishReasonNames
{
    public static string ToWireName(this FinishReason reason) => reason switch
    {
        FinishReason.Stop => "stop",
        FinishReason.Length => "length",
        _ => "cancelled",
    };
}
