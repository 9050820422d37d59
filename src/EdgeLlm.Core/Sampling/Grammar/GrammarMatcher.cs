namespace EdgeLlm.Core.Sampling.Grammar;

/// <summary>
/// Follows one generation through a grammar: which tokens may come next, the token that came, whether the output
/// may or must end. Created by <see cref="OutputConstraint"/>; the heavy tables it uses are shared per grammar.
/// Not thread-safe.
/// </summary>
public sealed class GrammarMatcher : ITokenConstraint
{
    private readonly GrammarTokenTable _table;
    private GrammarState _state;

    internal GrammarMatcher(GrammarTokenTable table)
    {
        _table = table;
        _state = new GrammarState(table.States.StartSet);
    }

    public bool IsActive => true;

    /// <summary>The output so far is a complete match (end-of-generation tokens are allowed now).</summary>
    public bool CanEnd => _table.CanEnd(_state);

    public bool MustEnd => _state.Remaining == 0 && _state.Set == _table.States.EndOnlySet;

    public bool Allows(int token)
    {
        var probe = _state;
        return _table.TryAdvance(ref probe, token);
    }

    public int Mask(Span<float> logits) => _table.Mask(_state, logits);

    /// <exception cref="InvalidOperationException">The grammar does not allow the token here.</exception>
    public void Accept(int token)
    {
        if (!_table.TryAdvance(ref _state, token))
            throw new InvalidOperationException($"token {token} does not fit the grammar here");
    }

    /// <summary>Feeds text that is already part of the output (a lazy grammar's trigger); false if the grammar rejects it.</summary>
    public bool AcceptBytes(ReadOnlySpan<byte> utf8)
    {
        var next = _state;
        foreach (byte b in utf8)
            if (!_table.States.Step(ref next, b)) return false;
        _state = next;
        return true;
    }

    /// <summary>Distinct grammar states explored so far by this grammar's shared tables.</summary>
    public int StatesExplored => _table.States.SetCount;

    /// <summary>Work done by this grammar's shared tables so far: masks built by a trie walk (and their time) and reused.</summary>
    public (long Built, TimeSpan BuildTime, long Reused, int TrieNodes) MaskStatistics =>
        (_table.MasksBuilt, _table.BuildTime, _table.MasksReused, _table.TrieNodes);
}
