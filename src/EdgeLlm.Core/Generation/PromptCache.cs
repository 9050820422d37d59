using EdgeLlm.Core.Model;

namespace EdgeLlm.Core.Generation;

/// <summary>
/// Several cached prompt prefixes ("slots") beside the model's one live KV cache, so that clients that alternate (two
/// system prompts) do not evict each other. A request takes the slot with the longest common prefix; a slot is a copy, so
/// restoring it costs a memcpy of its rows instead of a prefill. Bounded by a slot count and a byte budget, least
/// recently used evicted first; optionally kept on disk across restarts (<see cref="PromptCacheDirectory"/>).
/// </summary>
/// <remarks>
/// The generation thread looks slots up and makes them; status readers and the background writer only read, so one lock
/// guards the list and slots themselves never change.
/// </remarks>
public sealed class PromptCache
{
    private readonly List<PromptCacheSlot> _slots = [];
    private readonly object _gate = new();
    private readonly List<Task> _writes = [];

    public PromptCache(PromptCacheLimits limits, PromptCacheDirectory? directory = null)
    {
        Limits = limits;
        Directory = directory;
    }

    public PromptCacheLimits Limits { get; }
    public PromptCacheDirectory? Directory { get; }

    /// <summary>The slots, most recently used first (a copy).</summary>
    public IReadOnlyList<PromptCacheSlot> Slots
    {
        get { lock (_gate) return [.. _slots.OrderByDescending(s => s.LastUse)]; }
    }

    public long Bytes
    {
        get { lock (_gate) return _slots.Sum(s => s.Bytes); }
    }

    /// <summary>The slot sharing the longest prefix with <paramref name="prompt"/>, and how long that prefix is.</summary>
    public (PromptCacheSlot? Slot, int Common) Best(IReadOnlyList<int> prompt)
    {
        lock (_gate)
        {
            PromptCacheSlot? best = null;
            int longest = 0;
            foreach (var slot in _slots)
            {
                int common = PromptChunks.CommonPrefix(slot.Tokens, prompt);
                if (common > longest) (best, longest) = (slot, common);
            }
            return (best, longest);
        }
    }

    public void Touch(PromptCacheSlot slot)
    {
        lock (_gate) slot.LastUse = DateTime.UtcNow;
    }

    /// <summary>
    /// Keeps a copy of the first <paramref name="tokens"/>.Length positions of <paramref name="kv"/>. It replaces
    /// <paramref name="source"/> (the slot the request started from) when it reused at least half of it: a continuation
    /// or a sibling of the same prefix, so one system prompt holds one slot. Slots that are a prefix of the new one are
    /// dropped. Returns the new slot, or null when the cache is off or one slot would exceed the byte budget.
    /// </summary>
    public PromptCacheSlot? Remember(ReadOnlySpan<int> tokens, KvCache kv, PromptCacheSlot? source, int reused)
    {
        long bytes = tokens.Length * kv.BytesPerPosition;
        if (Limits.Slots <= 0 || tokens.Length == 0 || bytes > Limits.Bytes || bytes > Array.MaxLength) return null;
        var data = GC.AllocateUninitializedArray<byte>((int)bytes);
        kv.Snapshot(tokens.Length, data);
        var slot = new PromptCacheSlot(tokens.ToArray(), data, DateTime.UtcNow);
        var evicted = new List<PromptCacheSlot>();
        lock (_gate)
        {
            if (source != null && _slots.Contains(source) && 2L * reused >= source.Count)
            {
                // Replaced, not evicted: its file stays until the new slot is written (see PromptCacheSlot.Supersedes).
                _slots.Remove(source);
                slot.Supersedes = source.File ?? source.Supersedes;
            }
            foreach (var s in _slots.ToArray())
                if (s.Count <= slot.Count && PromptChunks.CommonPrefix(s.Tokens, slot.Tokens) == s.Count) Remove(s, evicted);
            _slots.Add(slot);
            EvictOver(slot, evicted);
        }
        foreach (var s in evicted) Directory?.Delete(s);
        return slot;
    }

    /// <summary>Adds slots read from disk at start (most recent first) while they fit the limits.</summary>
    public void AddLoaded(IEnumerable<PromptCacheSlot> slots)
    {
        var dropped = new List<PromptCacheSlot>();
        lock (_gate)
        {
            foreach (var slot in slots.OrderByDescending(s => s.LastUse))
            {
                if (_slots.Count >= Limits.Slots || _slots.Sum(s => s.Bytes) + slot.Bytes > Limits.Bytes) dropped.Add(slot);
                else _slots.Add(slot);
            }
        }
        foreach (var s in dropped) Directory?.Delete(s);
    }

    private void Remove(PromptCacheSlot slot, List<PromptCacheSlot> evicted)
    {
        _slots.Remove(slot);
        evicted.Add(slot);
    }

    private void EvictOver(PromptCacheSlot keep, List<PromptCacheSlot> evicted)
    {
        while (_slots.Count > Limits.Slots || _slots.Sum(s => s.Bytes) > Limits.Bytes)
        {
            var oldest = _slots.Where(s => s != keep).MinBy(s => s.LastUse);
            if (oldest == null) break;
            Remove(oldest, evicted);
        }
    }

    /// <summary>Whether <paramref name="slot"/> is still cached (a background write of an evicted slot deletes its file).</summary>
    public bool Holds(PromptCacheSlot slot)
    {
        lock (_gate) return _slots.Contains(slot);
    }

    /// <summary>Writes <paramref name="slot"/> to the directory on a thread-pool thread (after a long prefill).</summary>
    public void PersistInBackground(PromptCacheSlot slot)
    {
        if (Directory is null || slot.File != null) return;
        lock (_gate)
        {
            _writes.RemoveAll(t => t.IsCompleted);
            _writes.Add(Task.Run(() => Persist(slot)));
        }
    }

    /// <summary>Writes every slot not yet on disk and waits for background writes (at shutdown).</summary>
    public void Flush()
    {
        Task[] pending;
        lock (_gate) pending = [.. _writes];
        Task.WaitAll(pending);
        foreach (var slot in Slots)
            if (slot.File == null) Persist(slot);
    }

    private void Persist(PromptCacheSlot slot)
    {
        if (Directory is not { } directory) return;
        lock (slot)
        {
            if (slot.File != null || !Holds(slot)) return;
            // A problem (no room, read-only) is logged there; the slot stays in memory and the older file stays on disk.
            if (directory.Write(slot) is null && slot.Supersedes is { } older && older != slot.File)
            {
                directory.DeleteFile(older);
                slot.Supersedes = null;
            }
            // Evicted while it was being written: its file must not outlive it.
            if (!Holds(slot)) directory.Delete(slot);
        }
    }
}
