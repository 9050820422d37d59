namespace EdgeLlm.Core.Sampling.Grammar;

/// <summary>
/// Collects rules while <see cref="GbnfParser"/> reads a grammar, including the helper rules that groups and
/// repetitions are lowered to, then checks and compiles them into a <see cref="GbnfGrammar"/>.
/// </summary>
internal sealed class GrammarBuilder
{
    private readonly List<string> _names = [];
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly List<List<List<GrammarSymbol>>?> _alternatives = [];
    private readonly List<string> _origins = [];          // the user rule a helper rule was made for
    private readonly List<(int Line, int Column)> _firstUse = [];
    private readonly List<CharSet> _charSets = [];
    private readonly Dictionary<int, int> _singleChars = [];
    private int _helpers;

    /// <summary>The id of a named rule, creating an undefined placeholder on first use.</summary>
    public int RuleId(string name, int line, int column)
    {
        if (_ids.TryGetValue(name, out int id)) return id;
        id = _names.Count;
        _ids[name] = id;
        _names.Add(name);
        _alternatives.Add(null);
        _origins.Add(name);
        _firstUse.Add((line, column));
        return id;
    }

    public bool IsDefined(int rule) => _alternatives[rule] is not null;

    public void Define(int rule, List<List<GrammarSymbol>> alternatives) => _alternatives[rule] = alternatives;

    /// <summary>A new helper rule (for a group or a repetition) belonging to user rule <paramref name="owner"/>.</summary>
    public int Helper(string owner, List<List<GrammarSymbol>> alternatives)
    {
        int id = _names.Count;
        string name = $"{owner}-{++_helpers}";
        _ids[name + "\0"] = id; // never reachable by a user name
        _names.Add(name);
        _alternatives.Add(alternatives);
        _origins.Add(owner);
        _firstUse.Add((0, 0));
        return id;
    }

    public int CharSetIndex(CharSet set)
    {
        _charSets.Add(set);
        return _charSets.Count - 1;
    }

    public int SingleCharIndex(int codePoint)
    {
        if (_singleChars.TryGetValue(codePoint, out int index)) return index;
        return _singleChars[codePoint] = CharSetIndex(CharSet.Single(codePoint));
    }

    /// <summary>
    /// Lowers <c>item{min,max}</c> (max -1: unbounded) into plain sequences: min copies of the item, then
    /// right-recursive helper rules, so that matching never grows the stack with the repetition count.
    /// </summary>
    public void AppendRepetition(List<GrammarSymbol> sequence, List<GrammarSymbol> item, int min, int max, string owner)
    {
        for (int i = 0; i < min; i++) sequence.AddRange(item);
        if (max == -1)
        {
            // rest ::= item rest | (empty)
            int rest = Helper(owner, []);
            _alternatives[rest]!.Add([.. item, GrammarSymbol.Rule(rest)]);
            _alternatives[rest]!.Add([]);
            sequence.Add(GrammarSymbol.Rule(rest));
            return;
        }
        // up to n more: opt_n ::= item opt_{n-1} | (empty), opt_1 ::= item | (empty)
        int previous = -1;
        for (int n = 1; n <= max - min; n++)
        {
            var withItem = new List<GrammarSymbol>(item);
            if (previous >= 0) withItem.Add(GrammarSymbol.Rule(previous));
            previous = Helper(owner, [withItem, []]);
        }
        if (previous >= 0) sequence.Add(GrammarSymbol.Rule(previous));
    }

    public GbnfGrammar Build(string rootName = "root")
    {
        for (int r = 0; r < _names.Count; r++)
        {
            if (_alternatives[r] is null)
            {
                var (line, column) = _firstUse[r];
                throw new GrammarException($"undefined rule '{_names[r]}'", line, column);
            }
        }
        if (!_ids.TryGetValue(rootName, out int root))
            throw new GrammarException($"the grammar has no '{rootName}' rule (it says what the whole output must match)");

        var alternatives = _alternatives.Select(a => a!).ToList();
        GrammarChecks.RejectLeftRecursion(alternatives, _origins);
        GrammarChecks.RejectRulesThatNeverEnd(alternatives, _origins, _charSets, root);
        return GbnfGrammar.Compile(alternatives, [.. _names], [.. _charSets], root);
    }
}
