namespace EdgeLlm.Pipeline;

/// <summary>Why a request was cancelled; the first reason wins.</summary>
public enum CancelReason
{
    None,

    /// <summary>The client sent a cancel for it.</summary>
    Client,

    /// <summary>The client's connection went away.</summary>
    ClientGone,

    /// <summary>The per-request timeout passed.</summary>
    Timeout,

    /// <summary>The daemon is shutting down.</summary>
    Shutdown,
}
