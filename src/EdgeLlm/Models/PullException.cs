namespace EdgeLlm.Models;

/// <summary>A pull that failed for a reason the user can act on; the message is one line naming the host, file or value.</summary>
public sealed class PullException(string message, bool partialKept = false) : Exception(message)
{
    /// <summary>True when the bytes already downloaded stay on disk and the same pull will resume from them.</summary>
    public bool PartialKept { get; } = partialKept;
}
