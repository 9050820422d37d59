namespace EdgeLlm.Guards;

/// <summary>What to do about the context length, given the memory there is.</summary>
public enum MemoryVerdict
{
    Fits,
    Shrunk,
    Refused,

    /// <summary>No memory figures (no readable meminfo): nothing was checked and the guard does not protect.</summary>
    Unchecked,
}

/// <summary>The memory guard's decision before the model is mapped, with the numbers behind it.</summary>
public sealed record MemoryPlan(MemoryVerdict Verdict, int ContextLength, long ModelBytes, long KvBytes, long ScratchBytes, long UsableBytes, string Message);
