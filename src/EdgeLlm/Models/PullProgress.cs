namespace EdgeLlm.Models;

/// <summary>
/// One step of a pull, shaped like ollama's /api/pull status lines so the HTTP layer can stream them as they are:
/// "pulling manifest", "downloading" (with Completed/Total bytes and the digest when known), "verifying sha256 digest",
/// "success".
/// </summary>
public sealed record PullProgress(string Status, long Completed = 0, long? Total = null, string? Digest = null)
{
    public const string PullingManifest = "pulling manifest";
    public const string Downloading = "downloading";
    public const string Verifying = "verifying sha256 digest";
    public const string Success = "success";
}
