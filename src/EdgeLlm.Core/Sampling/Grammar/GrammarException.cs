namespace EdgeLlm.Core.Sampling.Grammar;

/// <summary>
/// A grammar or schema that cannot be used: a GBNF syntax error (with <see cref="Line"/> and <see cref="Column"/>),
/// an undefined or left-recursive rule, an unsupported schema keyword (with its path), or a grammar the
/// vocabulary cannot satisfy. The message is meant for the person who wrote the grammar.
/// </summary>
public sealed class GrammarException : Exception
{
    public GrammarException(string message) : base(message) { }

    public GrammarException(string message, int line, int column)
        : base($"{message} at line {line}, column {column}")
    {
        Line = line;
        Column = column;
    }

    /// <summary>1-based line of a syntax error, or 0 when the problem has no single place.</summary>
    public int Line { get; }

    /// <summary>1-based column (in UTF-16 chars) of a syntax error, or 0.</summary>
    public int Column { get; }
}
