namespace EdgeLlm.Core.Generation;

/// <summary>How much the prompt cache may keep, in memory and on disk.</summary>
/// <param name="Slots">Most cached prefixes; 0 turns the cache off (the live KV cache is still reused).</param>
/// <param name="Bytes">Most bytes of keys and values in all slots together (the same bound holds on disk).</param>
/// <param name="PersistAfter">A prefill that took at least this long has its slot written to disk at once, in the background.</param>
public sealed record PromptCacheLimits(int Slots, long Bytes, TimeSpan PersistAfter);
