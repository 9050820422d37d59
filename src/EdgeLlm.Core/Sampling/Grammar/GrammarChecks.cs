namespace EdgeLlm.Core.Sampling.Grammar;

/// <summary>Whole-grammar checks that turn would-be hangs or dead ends at generation time into errors at parse time.</summary>
internal static class GrammarChecks
{
    /// <summary>
    /// A rule that can reach itself without consuming a character (<c>expr ::= expr "+" term</c>, or a repetition of
    /// something that can be empty) would make the matcher expand forever, so it is refused by name.
    /// </summary>
    public static void RejectLeftRecursion(List<List<List<GrammarSymbol>>> rules, List<string> origins)
    {
        bool[] nullable = Nullable(rules);
        // Edges: rule -> rules that can start it (reached through a prefix that may be empty).
        var starts = new List<int>[rules.Count];
        for (int r = 0; r < rules.Count; r++)
        {
            starts[r] = [];
            foreach (var alternative in rules[r])
            {
                foreach (var symbol in alternative)
                {
                    if (!symbol.IsRule) break;
                    starts[r].Add(symbol.Index);
                    if (!nullable[symbol.Index]) break;
                }
            }
        }
        var state = new byte[rules.Count]; // 0 new, 1 on the path, 2 done
        for (int r = 0; r < rules.Count; r++)
            if (state[r] == 0 && FindCycle(r, starts, state) is { } cycleStart)
                throw new GrammarException($"left recursion in rule '{origins[cycleStart]}': it can reach itself without matching a character" +
                    " (rewrite it right-recursively, or make sure a repeated item cannot be empty)");
    }

    private static int? FindCycle(int rule, List<int>[] starts, byte[] state)
    {
        // Iterative DFS: grammars from schemas can nest deeply.
        var stack = new Stack<(int Rule, int Next)>();
        stack.Push((rule, 0));
        state[rule] = 1;
        while (stack.Count > 0)
        {
            var (r, next) = stack.Pop();
            if (next < starts[r].Count)
            {
                stack.Push((r, next + 1));
                int target = starts[r][next];
                if (state[target] == 1) return target;
                if (state[target] == 0)
                {
                    state[target] = 1;
                    stack.Push((target, 0));
                }
            }
            else
            {
                state[r] = 2;
            }
        }
        return null;
    }

    /// <summary>Every rule the root can reach must be able to finish; otherwise the output could never be complete.</summary>
    public static void RejectRulesThatNeverEnd(List<List<List<GrammarSymbol>>> rules, List<string> origins, List<CharSet> charSets, int root)
    {
        var finishes = new bool[rules.Count];
        bool changed = true;
        while (changed)
        {
            changed = false;
            for (int r = 0; r < rules.Count; r++)
            {
                if (finishes[r]) continue;
                if (rules[r].Any(alternative => alternative.All(s => s.IsRule ? finishes[s.Index] : !charSets[s.Index].IsEmpty)))
                    finishes[r] = changed = true;
            }
        }
        var seen = new bool[rules.Count];
        var todo = new Stack<int>();
        var stuck = new List<int>();
        todo.Push(root);
        seen[root] = true;
        while (todo.Count > 0)
        {
            int r = todo.Pop();
            if (!finishes[r]) stuck.Add(r);
            foreach (var alternative in rules[r])
                foreach (var s in alternative)
                    if (s.IsRule && !seen[s.Index]) { seen[s.Index] = true; todo.Push(s.Index); }
        }
        if (stuck.Count == 0) return;
        // Name the cause, not the rules that only fail because they use it: one that needs no other stuck rule.
        int cause = stuck.FirstOrDefault(r => rules[r].All(a => a.All(s => !s.IsRule || s.Index == r || finishes[s.Index] || origins[s.Index] == origins[r])), stuck[0]);
        throw new GrammarException($"rule '{origins[cause]}' can never be completed: each of its alternatives needs itself again or an empty character class");
    }

    private static bool[] Nullable(List<List<List<GrammarSymbol>>> rules)
    {
        var nullable = new bool[rules.Count];
        bool changed = true;
        while (changed)
        {
            changed = false;
            for (int r = 0; r < rules.Count; r++)
            {
                if (nullable[r]) continue;
                if (rules[r].Any(alternative => alternative.All(s => s.IsRule && nullable[s.Index])))
                    nullable[r] = changed = true;
            }
        }
        return nullable;
    }
}
