using EdgeLlm.Core.Gguf;

namespace EdgeLlm.Models;

/// <summary>
/// A model in the store after a pull: where it is, its sha256 and what that was verified against (null when no checksum
/// was known), what the file holds and whether this engine runs it. AlreadyPresent: the store had it; nothing was fetched.
/// </summary>
public sealed record PullResult(string Name, string Path, long Size, string? Sha256, string? VerifiedAgainst,
    ModelFileSummary Summary, bool Runs, string RunsHere, bool AlreadyPresent);
