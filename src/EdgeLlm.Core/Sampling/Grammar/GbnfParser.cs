using System.Globalization;

namespace EdgeLlm.Core.Sampling.Grammar;

/// <summary>
/// Reads llama.cpp's GBNF: <c>name ::= alternatives</c> rules; sequences of string literals (escapes <c>\x</c>
/// <c>\u</c> <c>\U</c> <c>\t</c> <c>\n</c> <c>\r</c> ...), character classes with ranges and <c>^</c> negation,
/// <c>.</c>, rule references and parenthesised groups; <c>*</c> <c>+</c> <c>?</c> <c>{m}</c> <c>{m,}</c>
/// <c>{m,n}</c> repetition; <c>#</c> comments. A newline ends a rule except inside parentheses or after <c>|</c>.
/// </summary>
internal sealed class GbnfParser
{
    /// <summary>Repetition counts above this would only build huge grammars by mistake.</summary>
    private const int MaxRepetition = 10_000;

    private readonly string _text;
    private readonly GrammarBuilder _builder = new();
    private int _pos;

    private GbnfParser(string text) => _text = text;

    public static GbnfGrammar Parse(string text, string rootRule)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parser = new GbnfParser(text);
        parser.ParseRules();
        return parser._builder.Build(rootRule);
    }

    private bool AtEnd => _pos >= _text.Length;
    private char Peek => _pos < _text.Length ? _text[_pos] : '\0';

    private void ParseRules()
    {
        SkipSpace(newlines: true);
        if (AtEnd) throw Error("the grammar is empty");
        while (!AtEnd)
        {
            ParseRule();
            SkipSpace(newlines: true);
        }
    }

    private void ParseRule()
    {
        int nameAt = _pos;
        string name = ParseName("a rule name");
        var (line, column) = Location(nameAt);
        int rule = _builder.RuleId(name, line, column);
        if (_builder.IsDefined(rule)) throw Error($"rule '{name}' is defined twice", nameAt);
        SkipSpace(newlines: false);
        if (string.CompareOrdinal(_text, _pos, "::=", 0, 3) != 0) throw Error("expected '::='");
        _pos += 3;
        SkipSpace(newlines: true);
        _builder.Define(rule, ParseAlternatives(name, nested: false));
        if (!AtEnd && Peek != '\n' && Peek != '\r') throw Error($"expected the end of the line after rule '{name}', found '{Peek}'");
    }

    private List<List<GrammarSymbol>> ParseAlternatives(string owner, bool nested)
    {
        var alternatives = new List<List<GrammarSymbol>> { ParseSequence(owner, nested) };
        while (Peek == '|')
        {
            _pos++;
            SkipSpace(newlines: true); // a newline after '|' continues the rule
            alternatives.Add(ParseSequence(owner, nested));
        }
        return alternatives;
    }

    private List<GrammarSymbol> ParseSequence(string owner, bool nested)
    {
        var sequence = new List<GrammarSymbol>();
        int itemStart = -1; // where the last item began in the sequence, for a following repetition operator
        while (!AtEnd)
        {
            char c = Peek;
            if (c == '"')
            {
                itemStart = sequence.Count;
                _pos++;
                while (true)
                {
                    if (AtEnd) throw Error("unterminated string literal");
                    if (Peek == '"') { _pos++; break; }
                    sequence.Add(GrammarSymbol.Chars(_builder.SingleCharIndex(ParseChar())));
                }
            }
            else if (c == '[')
            {
                itemStart = sequence.Count;
                sequence.Add(GrammarSymbol.Chars(_builder.CharSetIndex(ParseClass())));
            }
            else if (c == '.')
            {
                itemStart = sequence.Count;
                _pos++;
                sequence.Add(GrammarSymbol.Chars(_builder.CharSetIndex(CharSet.Any)));
            }
            else if (IsNameChar(c))
            {
                itemStart = sequence.Count;
                int at = _pos;
                string name = ParseName("a rule name");
                var (line, column) = Location(at);
                sequence.Add(GrammarSymbol.Rule(_builder.RuleId(name, line, column)));
            }
            else if (c == '(')
            {
                itemStart = sequence.Count;
                _pos++;
                SkipSpace(newlines: true);
                var group = ParseAlternatives(owner, nested: true);
                if (Peek != ')') throw Error("expected ')'");
                _pos++;
                sequence.Add(GrammarSymbol.Rule(_builder.Helper(owner, group)));
            }
            else if (c is '*' or '+' or '?' or '{')
            {
                if (itemStart < 0) throw Error($"'{c}' must follow something to repeat");
                var (min, max) = ParseRepetition();
                var item = sequence.GetRange(itemStart, sequence.Count - itemStart);
                sequence.RemoveRange(itemStart, item.Count);
                _builder.AppendRepetition(sequence, item, min, max, owner);
                itemStart = -1; // "x**" is an error, as in llama.cpp
            }
            else
            {
                break;
            }
            SkipSpace(newlines: nested);
        }
        return sequence;
    }

    private (int Min, int Max) ParseRepetition()
    {
        char op = Peek;
        _pos++;
        switch (op)
        {
            case '*': return (0, -1);
            case '+': return (1, -1);
            case '?': return (0, 1);
        }
        SkipSpace(newlines: false);
        int min = Peek == ',' ? 0 : ParseCount();
        int max = min;
        SkipSpace(newlines: false);
        if (Peek == ',')
        {
            _pos++;
            SkipSpace(newlines: false);
            max = Peek == '}' ? -1 : ParseCount();
            SkipSpace(newlines: false);
        }
        if (Peek != '}') throw Error("expected '}' to close the repetition count");
        _pos++;
        if (max != -1 && max < min) throw Error($"repetition {{{min},{max}}} has its maximum below its minimum");
        return (min, max);
    }

    private int ParseCount()
    {
        int start = _pos;
        while (char.IsAsciiDigit(Peek)) _pos++;
        if (_pos == start) throw Error("expected a number in the repetition count");
        if (!int.TryParse(_text.AsSpan(start, _pos - start), NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n > MaxRepetition)
            throw Error($"repetition count above {MaxRepetition}", start);
        return n;
    }

    private CharSet ParseClass()
    {
        int start = _pos;
        _pos++; // '['
        bool negated = false;
        if (Peek == '^') { negated = true; _pos++; }
        var ranges = new List<(int, int)>();
        while (true)
        {
            if (AtEnd) throw Error("unterminated character class", start);
            if (Peek == ']') { _pos++; break; }
            int low = ParseChar();
            int high = low;
            if (Peek == '-' && _pos + 1 < _text.Length && _text[_pos + 1] != ']')
            {
                _pos++;
                int at = _pos;
                high = ParseChar();
                if (high < low) throw Error("character range ends before it starts", at);
            }
            ranges.Add((low, high));
        }
        return new CharSet(ranges, negated);
    }

    /// <summary>One code point of a literal or class: a raw character (surrogate pairs joined) or an escape.</summary>
    private int ParseChar()
    {
        int at = _pos;
        char c = Peek;
        if (c == '\\')
        {
            _pos++;
            if (AtEnd) throw Error("unterminated escape", at);
            char e = _text[_pos++];
            switch (e)
            {
                case 'x': return ParseHex(2, at);
                case 'u': return ParseHex(4, at);
                case 'U': return ParseHex(8, at);
                case 't': return '\t';
                case 'n': return '\n';
                case 'r': return '\r';
                case 'f': return '\f';
                case 'b': return '\b';
                case '0': return 0;
                case '\\' or '"' or '[' or ']' or '-' or '^' or '/' or '\'' or '.': return e;
                default: throw Error($"unknown escape '\\{e}'", at);
            }
        }
        if (char.IsHighSurrogate(c) && _pos + 1 < _text.Length && char.IsLowSurrogate(_text[_pos + 1]))
        {
            _pos += 2;
            return char.ConvertToUtf32(c, _text[_pos - 1]);
        }
        _pos++;
        return c;
    }

    private int ParseHex(int digits, int at)
    {
        if (_pos + digits > _text.Length || !int.TryParse(_text.AsSpan(_pos, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int value)
            || _text.AsSpan(_pos, digits).ContainsAnyExcept("0123456789abcdefABCDEF"))
            throw Error($"expected {digits} hex digits in the escape", at);
        _pos += digits;
        if ((uint)value > CharSet.MaxCodePoint) throw Error("escape beyond the last Unicode code point U+10FFFF", at);
        return value;
    }

    private string ParseName(string what)
    {
        int start = _pos;
        while (IsNameChar(Peek)) _pos++;
        if (_pos == start) throw Error(AtEnd ? $"expected {what}, found the end of the grammar" : $"expected {what}, found '{Peek}'");
        return _text[start.._pos];
    }

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_';

    /// <summary>Skips blanks and comments; newlines too when <paramref name="newlines"/>.</summary>
    private void SkipSpace(bool newlines)
    {
        while (!AtEnd)
        {
            char c = Peek;
            if (c is ' ' or '\t' || (newlines && c is '\n' or '\r'))
            {
                _pos++;
            }
            else if (c == '#')
            {
                while (!AtEnd && Peek != '\n' && Peek != '\r') _pos++;
            }
            else
            {
                break;
            }
        }
    }

    private (int Line, int Column) Location(int pos)
    {
        int line = 1, lineStart = 0;
        for (int i = 0; i < pos && i < _text.Length; i++)
            if (_text[i] == '\n') { line++; lineStart = i + 1; }
        return (line, pos - lineStart + 1);
    }

    private GrammarException Error(string message, int? at = null)
    {
        var (line, column) = Location(at ?? _pos);
        return new GrammarException(message, line, column);
    }
}
