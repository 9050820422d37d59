using System.Runtime.CompilerServices;
using EdgeLlm.Core.Tokenizers;

namespace EdgeLlm.Core.Sampling.Grammar;

/// <summary>
/// The token tables of the grammars one generator has used (weakly keyed by grammar), so that a grammar reused across
/// requests keeps its explored states and cached masks. Not thread-safe: one per <see cref="Generation.TextGenerator"/>.
/// </summary>
public sealed class GrammarTableCache
{
    private readonly ConditionalWeakTable<GbnfGrammar, GrammarTokenTable> _tables = new();
    private Tokenizer? _tokenizer;

    internal GrammarTokenTable For(GbnfGrammar grammar, Tokenizer tokenizer)
    {
        if (_tokenizer is not null && !ReferenceEquals(_tokenizer, tokenizer)) _tables.Clear();
        _tokenizer = tokenizer;
        return _tables.GetValue(grammar, g => new GrammarTokenTable(g, tokenizer));
    }
}
