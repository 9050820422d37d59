namespace EdgeLlm.Pipeline;

/// <summary>One prompt cache slot as status shows it: its tokens, bytes, last use, and whether it is on disk.</summary>
public sealed record PromptCacheSlotStatus(int Tokens, long Bytes, DateTime LastUse, bool OnDisk);
