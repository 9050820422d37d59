using EdgeLlm.Core.Tokenizers;

namespace EdgeLlm.Core.Sampling.Grammar;

/// <summary>
/// The token tables of the few grammars a generator used last, so that a grammar reused across requests keeps its
/// explored states and cached masks. Few, because each table may hold up to its mask budget: on a Pi the memory
/// matters more than re-walking the trie for a grammar that comes back after a while.
/// Not thread-safe: one per <see cref="Generation.TextGenerator"/>.
/// </summary>
public sealed class GrammarTableCache
{
    /// <summary>Grammars kept warm; the least recently used one is dropped beyond this.</summary>
    public const int Capacity = 4;

    /// <summary>A table that has explored more grammar states than this starts afresh at the next generation.</summary>
    private const int MaxStates = 50_000;

    private readonly List<GrammarTokenTable> _recent = [];
    private Tokenizer? _tokenizer;

    internal GrammarTokenTable For(GbnfGrammar grammar, Tokenizer tokenizer)
    {
        if (!ReferenceEquals(_tokenizer, tokenizer)) _recent.Clear();
        _tokenizer = tokenizer;
        int at = _recent.FindIndex(t => ReferenceEquals(t.States.Grammar, grammar));
        GrammarTokenTable table;
        if (at >= 0 && _recent[at].States.SetCount > MaxStates)
        {
            // A client that keeps exploring new states (deeper and deeper nesting) must not grow memory for ever.
            _recent.RemoveAt(at);
            at = -1;
        }
        if (at >= 0)
        {
            table = _recent[at];
            _recent.RemoveAt(at);
        }
        else
        {
            table = new GrammarTokenTable(grammar, tokenizer);
            if (_recent.Count >= Capacity) _recent.RemoveAt(_recent.Count - 1);
        }
        _recent.Insert(0, table);
        return table;
    }
}
