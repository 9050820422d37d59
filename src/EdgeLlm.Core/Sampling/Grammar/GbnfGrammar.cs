namespace EdgeLlm.Core.Sampling.Grammar;

/// <summary>
/// A checked, compiled grammar: every rule's alternatives laid out as runs of elements in one flat array, each run
/// ending with an end marker, so a matcher position is a single int. Immutable and shareable between threads;
/// the per-generation state lives in <see cref="GrammarMatcher"/>.
/// </summary>
public sealed class GbnfGrammar
{
    internal const byte EndKind = 0, CharsKind = 1, RuleKind = 2;

    private GbnfGrammar(byte[] kinds, int[] args, int[][] ruleStarts, string[] ruleNames, CharSet[] charSets, int root)
    {
        Kinds = kinds;
        Args = args;
        RuleStarts = ruleStarts;
        RuleNames = ruleNames;
        CharSets = charSets;
        Root = root;
    }

    /// <summary>Element kind at each position (<see cref="EndKind"/>, <see cref="CharsKind"/>, <see cref="RuleKind"/>).</summary>
    internal byte[] Kinds { get; }

    /// <summary>Char set index or rule id at each position.</summary>
    internal int[] Args { get; }

    /// <summary>Start position of each alternative of each rule (an empty alternative starts on its end marker).</summary>
    internal int[][] RuleStarts { get; }

    internal string[] RuleNames { get; }
    internal CharSet[] CharSets { get; }
    internal int Root { get; }

    /// <summary>Number of rules after lowering groups and repetitions (for diagnostics).</summary>
    public int RuleCount => RuleNames.Length;

    /// <summary>Parses GBNF text (llama.cpp's grammar format).</summary>
    /// <exception cref="GrammarException">A syntax error (with line and column), an undefined, left-recursive or never-ending rule.</exception>
    public static GbnfGrammar Parse(string text, string rootRule = "root") => GbnfParser.Parse(text, rootRule);

    internal static GbnfGrammar Compile(List<List<List<GrammarSymbol>>> rules, string[] names, CharSet[] charSets, int root)
    {
        var kinds = new List<byte>();
        var args = new List<int>();
        var starts = new int[rules.Count][];
        for (int r = 0; r < rules.Count; r++)
        {
            starts[r] = new int[rules[r].Count];
            for (int a = 0; a < rules[r].Count; a++)
            {
                starts[r][a] = kinds.Count;
                foreach (var symbol in rules[r][a])
                {
                    kinds.Add(symbol.IsRule ? RuleKind : CharsKind);
                    args.Add(symbol.Index);
                }
                kinds.Add(EndKind);
                args.Add(0);
            }
        }
        return new GbnfGrammar([.. kinds], [.. args], starts, names, charSets, root);
    }
}
