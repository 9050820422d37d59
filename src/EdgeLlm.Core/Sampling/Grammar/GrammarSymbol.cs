namespace EdgeLlm.Core.Sampling.Grammar;

/// <summary>One item of a rule's sequence while a grammar is being built: a terminal (a <see cref="CharSet"/> index) or a rule reference.</summary>
internal readonly record struct GrammarSymbol(bool IsRule, int Index)
{
    public static GrammarSymbol Rule(int rule) => new(true, rule);
    public static GrammarSymbol Chars(int charSet) => new(false, charSet);
}
