using System.Runtime.CompilerServices;

namespace EdgeLlm.Core.Sampling.Grammar;

/// <summary>
/// The state space of one grammar, built lazily as generation explores it. A stack (the positions still to match,
/// innermost rule first) is an interned linked list of (position, parent) nodes; the set of stacks the matcher may be
/// in is an interned sorted array of node ids. Expanding rule references and stepping a set by one code point are
/// memoised, so after warm-up a character costs one table lookup and no allocation.
/// Not thread-safe: one generation at a time.
/// </summary>
internal sealed class GrammarStates
{
    /// <summary>The empty set of stacks: nothing can follow.</summary>
    public const int DeadSet = 0;

    /// <summary>Node id of the empty stack: the grammar is complete on this path.</summary>
    private const int EmptyStack = 0;

    private const int Unknown = -1;

    private readonly GbnfGrammar _grammar;
    private readonly byte[] _kinds;
    private readonly int[] _args;
    private readonly CharSet[] _charSets;

    // Stack nodes.
    private readonly List<int> _nodePos = [-1];
    private readonly List<int> _nodeParent = [-1];
    private readonly Dictionary<long, int> _nodeIds = [];
    private readonly List<int[]?> _expansions = [[EmptyStack]];

    // Stack sets.
    private readonly List<int[]> _sets = [[]];
    private readonly Dictionary<int[], int> _setIds = new(SetComparer.Instance);
    private readonly Dictionary<int[], int>.AlternateLookup<ReadOnlySpan<int>> _setIdsBySpan;
    private int[]?[] _asciiSteps = new int[]?[64]; // per set: next set for each ASCII character, filled on demand
    private readonly Dictionary<long, int> _otherSteps = [];
    private readonly List<int> _scratch = [];

    public GrammarStates(GbnfGrammar grammar)
    {
        _grammar = grammar;
        _kinds = grammar.Kinds;
        _args = grammar.Args;
        _charSets = grammar.CharSets;
        _setIds.Add([], DeadSet);
        _setIdsBySpan = _setIds.GetAlternateLookup<ReadOnlySpan<int>>();

        // Start: every alternative of the root rule.
        var start = new List<int>();
        foreach (int alternative in grammar.RuleStarts[grammar.Root])
            start.AddRange(Expand(_kinds[alternative] == GbnfGrammar.EndKind ? EmptyStack : Node(alternative, EmptyStack)));
        StartSet = InternSet(start);
        EndOnlySet = InternSet([EmptyStack]);
    }

    public GbnfGrammar Grammar => _grammar;

    public int StartSet { get; }

    /// <summary>The set holding only the empty stack: the grammar is complete and nothing more may follow.</summary>
    public int EndOnlySet { get; }

    /// <summary>Number of distinct stack sets seen so far (for diagnostics and tests).</summary>
    public int SetCount => _sets.Count;

    /// <summary>Whether the output may end in this set (one of its stacks is empty).</summary>
    public bool CanEnd(int set)
    {
        int[] stacks = _sets[set];
        return stacks.Length > 0 && stacks[0] == EmptyStack;
    }

    /// <summary>Advances <paramref name="state"/> by one byte of UTF-8 output; false when the grammar rejects it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Step(ref GrammarState state, byte b)
    {
        if (state.Remaining == 0 && b < 0x80)
        {
            state.Set = StepAscii(state.Set, b);
            return state.Set != DeadSet;
        }
        return StepMultiByte(ref state, b);
    }

    private bool StepMultiByte(ref GrammarState state, byte b)
    {
        if (state.Remaining == 0)
        {
            // C0, C1 and F5..FF never start a valid character; 80..BF are stray continuation bytes.
            if (b is >= 0xC2 and <= 0xDF) { state.Pending = b & 0x1F; state.Remaining = 1; }
            else if ((b & 0xF0) == 0xE0) { state.Pending = b & 0x0F; state.Remaining = 2; }
            else if (b is >= 0xF0 and <= 0xF4) { state.Pending = b & 0x07; state.Remaining = 3; }
            else { state.Set = DeadSet; return false; }
            state.Length = state.Remaining + 1;
        }
        else
        {
            if ((b & 0xC0) != 0x80) { state.Set = DeadSet; return false; }
            state.Pending = (state.Pending << 6) | (b & 0x3F);
            if (--state.Remaining == 0)
            {
                int codePoint = state.Pending;
                bool valid = codePoint >= MinCodePoint(state.Length) && codePoint <= CharSet.MaxCodePoint && codePoint is < 0xD800 or > 0xDFFF;
                state.Pending = 0;
                state.Length = 0;
                state.Set = valid ? StepOther(state.Set, codePoint) : DeadSet;
                return state.Set != DeadSet;
            }
        }
        // Mid-character: keep going only if some stack accepts a code point starting with these bits.
        // Overlong forms are not the character they spell, so the range starts at the length's first code point.
        int shift = 6 * state.Remaining;
        int low = state.Pending << shift;
        int high = Math.Min(low | ((1 << shift) - 1), CharSet.MaxCodePoint);
        low = Math.Max(low, MinCodePoint(state.Length));
        if (low > high || !AnyTerminalIntersects(state.Set, low, high))
        {
            state.Set = DeadSet;
            return false;
        }
        return true;
    }

    private static int MinCodePoint(int length) => length switch { 2 => 0x80, 3 => 0x800, _ => 0x10000 };

    private bool AnyTerminalIntersects(int set, int low, int high)
    {
        foreach (int node in _sets[set])
            if (node != EmptyStack && _charSets[_args[_nodePos[node]]].Intersects(low, high)) return true;
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int StepAscii(int set, int codePoint)
    {
        int[] table = _asciiSteps[set] ??= NewAsciiTable();
        int next = table[codePoint];
        return next != Unknown ? next : table[codePoint] = Advance(set, codePoint);
    }

    private int StepOther(int set, int codePoint)
    {
        long key = ((long)set << 21) | (uint)codePoint;
        if (_otherSteps.TryGetValue(key, out int next)) return next;
        return _otherSteps[key] = Advance(set, codePoint);
    }

    private static int[] NewAsciiTable()
    {
        var table = new int[128];
        Array.Fill(table, Unknown);
        return table;
    }

    /// <summary>The set reached from <paramref name="set"/> by matching <paramref name="codePoint"/>.</summary>
    private int Advance(int set, int codePoint)
    {
        if (set == DeadSet) return DeadSet;
        _scratch.Clear();
        foreach (int node in _sets[set])
        {
            if (node == EmptyStack) continue;
            int pos = _nodePos[node];
            if (!_charSets[_args[pos]].Contains(codePoint)) continue;
            _scratch.AddRange(Expand(Next(pos + 1, _nodeParent[node])));
        }
        return InternSet(_scratch);
    }

    /// <summary>The stack that continues at <paramref name="pos"/> (or returns to <paramref name="parent"/> at the end of a sequence).</summary>
    private int Next(int pos, int parent) => _kinds[pos] == GbnfGrammar.EndKind ? parent : Node(pos, parent);

    /// <summary>The stacks with a terminal (or nothing) on top that <paramref name="node"/> stands for, rule references expanded.</summary>
    private int[] Expand(int node)
    {
        if (_expansions[node] is { } known) return known;
        int pos = _nodePos[node];
        int[] result;
        if (_kinds[pos] == GbnfGrammar.CharsKind)
        {
            result = [node];
        }
        else
        {
            // A rule reference: replace it by each alternative, the rest of the sequence (if any) below it.
            int parent = _nodeParent[node];
            int continuation = Next(pos + 1, parent);
            var all = new List<int>();
            foreach (int alternative in _grammar.RuleStarts[_args[pos]])
                all.AddRange(Expand(_kinds[alternative] == GbnfGrammar.EndKind ? continuation : Node(alternative, continuation)));
            all.Sort();
            result = [.. all.Distinct()];
        }
        _expansions[node] = result;
        return result;
    }

    private int Node(int pos, int parent)
    {
        long key = ((long)pos << 32) | (uint)parent;
        if (_nodeIds.TryGetValue(key, out int id)) return id;
        id = _nodePos.Count;
        _nodePos.Add(pos);
        _nodeParent.Add(parent);
        _expansions.Add(null);
        _nodeIds[key] = id;
        return id;
    }

    private int InternSet(List<int> nodes)
    {
        nodes.Sort();
        int n = 0;
        for (int i = 0; i < nodes.Count; i++)
            if (n == 0 || nodes[i] != nodes[n - 1]) nodes[n++] = nodes[i];
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(nodes)[..n];
        if (_setIdsBySpan.TryGetValue(span, out int id)) return id;
        id = _sets.Count;
        int[] set = span.ToArray();
        _sets.Add(set);
        if (id == _asciiSteps.Length) Array.Resize(ref _asciiSteps, id * 2);
        _setIds.Add(set, id);
        return id;
    }

    /// <summary>Content equality for interned sets, with span lookups so that probing allocates nothing.</summary>
    private sealed class SetComparer : IEqualityComparer<int[]>, IAlternateEqualityComparer<ReadOnlySpan<int>, int[]>
    {
        public static readonly SetComparer Instance = new();

        public bool Equals(int[]? x, int[]? y) => x.AsSpan().SequenceEqual(y);
        public int GetHashCode(int[] obj) => Hash(obj);
        public bool Equals(ReadOnlySpan<int> alternate, int[] other) => alternate.SequenceEqual(other);
        public int GetHashCode(ReadOnlySpan<int> alternate) => Hash(alternate);
        public int[] Create(ReadOnlySpan<int> alternate) => alternate.ToArray();

        private static int Hash(ReadOnlySpan<int> values)
        {
            var hash = new HashCode();
            hash.AddBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values));
            return hash.ToHashCode();
        }
    }
}
