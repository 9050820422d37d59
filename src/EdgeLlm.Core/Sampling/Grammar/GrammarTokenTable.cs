using System.Numerics;
using EdgeLlm.Core.Tokenizers;

namespace EdgeLlm.Core.Sampling.Grammar;

/// <summary>
/// One grammar against one vocabulary: which tokens each grammar state allows. Keeps the grammar's state space and
/// the mask cache warm across generations, so a daemon that reuses a grammar pays the first walks only once.
/// Not thread-safe: used by one generation at a time (<see cref="Generation.TextGenerator"/> keeps one per grammar).
/// </summary>
internal sealed class GrammarTokenTable
{
    private readonly Tokenizer _tokenizer;
    private readonly TokenTrie _trie;
    private readonly TokenMaskCache _masks;
    private readonly GrammarState[] _walk;

    public GrammarTokenTable(GbnfGrammar grammar, Tokenizer tokenizer)
    {
        _tokenizer = tokenizer;
        States = new GrammarStates(grammar);
        _trie = TokenTrie.For(tokenizer);
        _masks = new TokenMaskCache(tokenizer.VocabSize);
        _walk = new GrammarState[_trie.MaxDepth + 1];
    }

    public GrammarStates States { get; }

    /// <summary>Masks built by a trie walk, and the time those walks took (for the bench).</summary>
    public long MasksBuilt { get; private set; }
    public TimeSpan BuildTime { get; private set; }

    /// <summary>Masks served from the cache.</summary>
    public long MasksReused { get; private set; }

    /// <summary>Nodes of the vocabulary's token trie.</summary>
    public int TrieNodes => _trie.NodeCount;
    public int VocabSize => _trie.VocabSize;

    /// <summary>Whether <paramref name="token"/> may come next; if so, <paramref name="state"/> becomes the state after it.</summary>
    public bool TryAdvance(ref GrammarState state, int token)
    {
        if (_tokenizer.IsEndOfGeneration(token)) return CanEnd(state);
        var bytes = _tokenizer.TokenBytes(token);
        if (bytes.IsEmpty) return false; // control and unknown tokens print nothing a grammar could match
        var next = state;
        foreach (byte b in bytes)
            if (!States.Step(ref next, b)) return false;
        state = next;
        return true;
    }

    public bool CanEnd(GrammarState state) => state.Remaining == 0 && States.CanEnd(state.Set);

    /// <summary>Sets the logit of every token the grammar rejects in <paramref name="state"/> to -infinity; returns how many remain.</summary>
    public int Mask(GrammarState state, Span<float> logits)
    {
        if (logits.Length != VocabSize) throw new ArgumentException($"expected {VocabSize} logits, got {logits.Length}", nameof(logits));
        if (_masks.TryGet(state.Key, out ulong[] mask, out int allowed))
        {
            MasksReused++;
        }
        else
        {
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            mask = _masks.Reserve(state.Key, out int slot);
            allowed = Fill(state, mask);
            _masks.Commit(slot, allowed);
            MasksBuilt++;
            BuildTime += System.Diagnostics.Stopwatch.GetElapsedTime(start);
        }
        Apply(mask, logits);
        return allowed;
    }

    /// <summary>One depth-first walk of the token trie from <paramref name="state"/>, setting the bit of every token that fits.</summary>
    private int Fill(GrammarState state, ulong[] mask)
    {
        var trie = _trie;
        byte[] labels = trie.Labels;
        int[] depths = trie.Depths, subtreeEnds = trie.SubtreeEnds, tokenStarts = trie.TokenStarts, tokenCounts = trie.TokenCounts, sorted = trie.SortedTokens;
        var walk = _walk;
        walk[0] = state;
        int allowed = 0;
        int nodes = trie.NodeCount;
        for (int n = 1; n < nodes;)
        {
            var s = walk[depths[n] - 1];
            if (!States.Step(ref s, labels[n]))
            {
                n = subtreeEnds[n];
                continue;
            }
            walk[depths[n]] = s;
            for (int i = tokenStarts[n], end = i + tokenCounts[n]; i < end; i++)
            {
                int id = sorted[i];
                mask[id >> 6] |= 1UL << id;
                allowed++;
            }
            n++;
        }
        if (CanEnd(state))
        {
            foreach (int id in trie.EndOfGeneration)
            {
                mask[id >> 6] |= 1UL << id;
                allowed++;
            }
        }
        return allowed;
    }

    private static void Apply(ulong[] mask, Span<float> logits)
    {
        for (int w = 0; w < mask.Length; w++)
        {
            ulong rejected = ~mask[w];
            if (rejected == 0) continue;
            int baseId = w << 6;
            while (rejected != 0)
            {
                int id = baseId + BitOperations.TrailingZeroCount(rejected);
                if (id >= logits.Length) break;
                logits[id] = float.NegativeInfinity;
                rejected &= rejected - 1;
            }
        }
    }
}
