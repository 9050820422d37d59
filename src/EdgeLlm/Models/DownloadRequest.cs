namespace EdgeLlm.Models;

/// <summary>
/// One file to download into <see cref="PartialPath"/>. ExpectedSize and ExpectedSha256 come from a registry manifest or
/// <c>--sha256</c> (ShaOrigin says which, for messages); Hugging Face's headers add to them during the download.
/// </summary>
public sealed record DownloadRequest(Uri Url, string PartialPath, string RecordPath, long? ExpectedSize = null, string? ExpectedSha256 = null,
    string ShaOrigin = "--sha256", string? Digest = null);

/// <summary>A complete download: its size, its sha256 (lowercase hex) and what that was checked against (null: nothing known).</summary>
public sealed record DownloadedFile(long Size, string Sha256, string? VerifiedAgainst);
