namespace EdgeLlm.Core.Sampling.Grammar;

/// <summary>
/// Token masks (one bit per vocabulary entry) already computed for a grammar state. A state that comes back
/// (inside a string, after a comma...) costs a lookup instead of a trie walk. Bounded: when full, the slots are
/// recycled, so memory stays fixed and steady-state masking allocates nothing.
/// </summary>
internal sealed class TokenMaskCache
{
    /// <summary>Bytes of masks kept per grammar: 2048 masks of a 32K vocabulary (4 KiB each), 430 of a 150K one (19 KiB).</summary>
    private const int BudgetBytes = 8 << 20;

    private readonly int _words;
    private readonly int _capacity;
    private readonly Dictionary<long, int> _slotByState = [];
    private readonly List<ulong[]> _masks = [];
    private readonly List<int> _allowedCounts = [];
    private int _nextSlot;

    public TokenMaskCache(int vocabSize)
    {
        _words = (vocabSize + 63) / 64;
        _capacity = Math.Max(16, BudgetBytes / (_words * 8));
    }

    public bool TryGet(long state, out ulong[] mask, out int allowed)
    {
        if (_slotByState.TryGetValue(state, out int slot))
        {
            mask = _masks[slot];
            allowed = _allowedCounts[slot];
            return true;
        }
        mask = [];
        allowed = 0;
        return false;
    }

    /// <summary>A cleared mask to fill for <paramref name="state"/>; call <see cref="Commit"/> with its count afterwards.</summary>
    public ulong[] Reserve(long state, out int slot)
    {
        if (_nextSlot == _capacity)
        {
            _slotByState.Clear();
            _nextSlot = 0;
        }
        slot = _nextSlot++;
        if (slot == _masks.Count)
        {
            _masks.Add(new ulong[_words]);
            _allowedCounts.Add(0);
        }
        else
        {
            Array.Clear(_masks[slot]);
        }
        _slotByState[state] = slot;
        return _masks[slot];
    }

    public void Commit(int slot, int allowed) => _allowedCounts[slot] = allowed;
}
