using System.Runtime.CompilerServices;
using EdgeLlm.Core.Tokenizers;

namespace EdgeLlm.Core.Sampling.Grammar;

/// <summary>
/// The decoded bytes of every token of a vocabulary as a byte trie laid out in depth-first order, so that a mask
/// is one linear walk: each node is stepped once from its parent's state, and a rejected node skips its whole
/// subtree (every token sharing that prefix) in one jump. Built once per tokenizer and shared; immutable.
/// </summary>
internal sealed class TokenTrie
{
    private static readonly ConditionalWeakTable<Tokenizer, TokenTrie> Cache = new();

    private TokenTrie(int vocabSize, byte[] labels, int[] depths, int[] subtreeEnds, int[] tokenStarts, int[] tokenCounts,
        int[] sortedTokens, int maxDepth, int[] endOfGeneration)
    {
        VocabSize = vocabSize;
        Labels = labels;
        Depths = depths;
        SubtreeEnds = subtreeEnds;
        TokenStarts = tokenStarts;
        TokenCounts = tokenCounts;
        SortedTokens = sortedTokens;
        MaxDepth = maxDepth;
        EndOfGeneration = endOfGeneration;
    }

    public int VocabSize { get; }

    /// <summary>Node count; node 0 is the root (no byte).</summary>
    public int NodeCount => Labels.Length;

    /// <summary>The byte on the edge into each node.</summary>
    public byte[] Labels { get; }

    /// <summary>Depth of each node (bytes from the root).</summary>
    public int[] Depths { get; }

    /// <summary>First node after each node's subtree.</summary>
    public int[] SubtreeEnds { get; }

    /// <summary>Where the tokens whose bytes end exactly at each node start in <see cref="SortedTokens"/>, and how many there are.</summary>
    public int[] TokenStarts { get; }
    public int[] TokenCounts { get; }

    /// <summary>Token ids ordered by their bytes.</summary>
    public int[] SortedTokens { get; }

    public int MaxDepth { get; }

    /// <summary>End-of-generation ids: allowed exactly where the grammar may end.</summary>
    public int[] EndOfGeneration { get; }

    public static TokenTrie For(Tokenizer tokenizer) => Cache.GetValue(tokenizer, Build);

    private static TokenTrie Build(Tokenizer tokenizer)
    {
        int vocab = tokenizer.VocabSize;
        var endOfGeneration = tokenizer.EndOfGenerationIds.Order().ToArray();
        // Every token's bytes in one buffer; tokens without bytes (control, unknown) never match a grammar.
        var offsets = new int[vocab + 1];
        var all = new List<byte>();
        var ids = new List<int>();
        for (int id = 0; id < vocab; id++)
        {
            var bytes = tokenizer.TokenBytes(id);
            offsets[id] = all.Count;
            if (!bytes.IsEmpty && !tokenizer.IsEndOfGeneration(id))
            {
                ids.Add(id);
                foreach (byte b in bytes) all.Add(b);
            }
            offsets[id + 1] = all.Count;
        }
        byte[] buffer = [.. all];
        ReadOnlySpan<byte> BytesOf(int id) => buffer.AsSpan(offsets[id], offsets[id + 1] - offsets[id]);

        int[] sorted = [.. ids];
        Array.Sort(sorted, (a, b) =>
        {
            int c = BytesOf(a).SequenceCompareTo(BytesOf(b));
            return c != 0 ? c : a.CompareTo(b);
        });

        var labels = new List<byte> { 0 };
        var depths = new List<int> { 0 };
        var subtreeEnds = new List<int> { 0 };
        var tokenStarts = new List<int> { 0 };
        var tokenCounts = new List<int> { 0 };
        var path = new List<int> { 0 }; // node at each depth of the current token
        ReadOnlySpan<byte> previous = [];
        int maxDepth = 0;
        for (int i = 0; i < sorted.Length; i++)
        {
            var bytes = BytesOf(sorted[i]);
            int common = bytes.CommonPrefixLength(previous);
            for (int d = path.Count - 1; d > common; d--) subtreeEnds[path[d]] = labels.Count;
            path.RemoveRange(common + 1, path.Count - common - 1);
            for (int d = common; d < bytes.Length; d++)
            {
                path.Add(labels.Count);
                labels.Add(bytes[d]);
                depths.Add(d + 1);
                subtreeEnds.Add(0);
                tokenStarts.Add(0);
                tokenCounts.Add(0);
            }
            int node = path[bytes.Length];
            if (tokenCounts[node]++ == 0) tokenStarts[node] = i;
            maxDepth = Math.Max(maxDepth, bytes.Length);
            previous = bytes;
        }
        for (int d = path.Count - 1; d >= 0; d--) subtreeEnds[path[d]] = labels.Count;

        return new TokenTrie(vocab, [.. labels], [.. depths], [.. subtreeEnds], [.. tokenStarts], [.. tokenCounts], sorted, maxDepth, endOfGeneration);
    }
}
