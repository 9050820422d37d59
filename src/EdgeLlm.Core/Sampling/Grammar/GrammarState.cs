namespace EdgeLlm.Core.Sampling.Grammar;

/// <summary>
/// Where a matcher stands: an interned set of grammar stacks (<see cref="GrammarStates"/>) plus the bytes of a
/// UTF-8 character that a token left unfinished (<see cref="Pending"/> holds their payload bits,
/// <see cref="Remaining"/> how many continuation bytes are still due, <see cref="Length"/> the character's byte count).
/// </summary>
internal struct GrammarState
{
    public int Set;
    public int Pending;
    public int Remaining;
    public int Length; // byte length of the pending character, 0 when none is pending

    public GrammarState(int set) => Set = set;

    public readonly bool IsDead => Set == GrammarStates.DeadSet;

    /// <summary>A key that identifies the state in the token mask cache.</summary>
    public readonly long Key => ((long)Set << 26) | ((long)Length << 23) | ((long)Remaining << 21) | (uint)Pending;
}
