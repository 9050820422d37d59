using System.Text.Json;

namespace EdgeLlm.Models;

/// <summary>
/// What an interrupted download expected (NAME.gguf.partial.json beside the partial file): the next pull resumes only
/// when the server still offers the same file (same URL, size and sha256); otherwise the partial is discarded.
/// </summary>
public sealed record PartialRecord(string Url, long? Size, string? Sha256)
{
    public static PartialRecord? TryRead(string path)
    {
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize(File.ReadAllBytes(path), PullJsonContext.Default.PartialRecord) : null;
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            return null; // an unreadable record only costs a fresh download
        }
    }

    public void Write(string path) => File.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(this, PullJsonContext.Default.PartialRecord));

    /// <summary>True when a download announced as <paramref name="other"/> is the same file this partial belongs to.</summary>
    public bool SameFileAs(PartialRecord other) =>
        Url == other.Url &&
        (Size is null || other.Size is null || Size == other.Size) &&
        (Sha256 is null || other.Sha256 is null || string.Equals(Sha256, other.Sha256, StringComparison.OrdinalIgnoreCase));
}
