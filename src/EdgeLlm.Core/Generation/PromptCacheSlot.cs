using EdgeLlm.Core.Model;

namespace EdgeLlm.Core.Generation;

/// <summary>
/// One cached prompt prefix: its tokens (whole chunks, see <see cref="PromptChunks"/>) and a copy of their keys and values
/// in the <see cref="KvCache.Snapshot"/> layout. Immutable once made, so a background writer may read it while the
/// generator replaces it.
/// </summary>
public sealed class PromptCacheSlot
{
    public PromptCacheSlot(int[] tokens, byte[] kv, DateTime lastUse)
    {
        Tokens = tokens;
        Kv = kv;
        LastUse = lastUse;
    }

    public int[] Tokens { get; }

    /// <summary>Positions [0, Count) of every layer: keys then values, layer after layer.</summary>
    public byte[] Kv { get; }

    public int Count => Tokens.Length;
    public long Bytes => Kv.LongLength;

    /// <summary>When a request last used or made it (UTC): the least recently used slot is evicted first.</summary>
    public DateTime LastUse { get; internal set; }

    /// <summary>The file holding it (see <see cref="PromptCacheDirectory"/>), once written or when it was read from one.</summary>
    public string? File { get; internal set; }

    /// <summary>
    /// The file of the slot this one replaced (the same conversation, shorter or with another question): deleted once this
    /// slot is written, not before, so that a crash or power cut before then still leaves the older prefix on disk.
    /// </summary>
    public string? Supersedes { get; internal set; }

    /// <summary>Where it came from, for the log: "memory" when made by this process, "disk" when read at start.</summary>
    public bool FromDisk { get; internal init; }
}
