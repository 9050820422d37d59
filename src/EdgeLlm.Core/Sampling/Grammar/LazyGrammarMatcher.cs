using System.Text;
using System.Text.RegularExpressions;
using EdgeLlm.Core.Tokenizers;

namespace EdgeLlm.Core.Sampling.Grammar;

/// <summary>
/// A grammar that leaves the output free until one of its <see cref="GrammarTriggers"/> appears, then constrains
/// everything from the trigger on. Before the trigger it only collects the output bytes.
/// </summary>
public sealed class LazyGrammarMatcher : ITokenConstraint
{
    private readonly Func<GrammarMatcher> _createMatcher;
    private readonly GrammarTriggers _triggers;
    private readonly Tokenizer _tokenizer;
    private readonly byte[][] _words;
    private readonly Regex[] _patterns;
    private readonly List<byte> _output = [];
    private GrammarMatcher? _matcher;

    internal LazyGrammarMatcher(Func<GrammarMatcher> createMatcher, GrammarTriggers triggers, Tokenizer tokenizer)
    {
        _createMatcher = createMatcher;
        _triggers = triggers;
        _tokenizer = tokenizer;
        _words = [.. triggers.Words.Where(w => w.Length > 0).Select(Encoding.UTF8.GetBytes)];
        _patterns = [.. triggers.Patterns.Select(p => new Regex(p, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)))];
    }

    /// <summary>True once a trigger appeared: from then on the grammar constrains every token.</summary>
    public bool IsActive => _matcher is not null;

    /// <summary>Byte offset in the output where the constrained part starts, or -1 before the trigger.</summary>
    public int ConstrainedFrom { get; private set; } = -1;

    public bool MustEnd => _matcher?.MustEnd ?? false;

    public bool Allows(int token) => _matcher?.Allows(token) ?? true;

    public int Mask(Span<float> logits) => _matcher?.Mask(logits) ?? logits.Length;

    /// <exception cref="GrammarException">The text from the trigger on does not fit the grammar.</exception>
    public void Accept(int token)
    {
        if (_matcher is not null)
        {
            _matcher.Accept(token);
            return;
        }
        int before = _output.Count;
        _output.AddRange(_tokenizer.TokenBytes(token));
        int start = _triggers.Tokens.Contains(token) || IsControlWord(token) ? before : FindTrigger(before);
        if (start < 0) return;
        var matcher = _createMatcher();
        var constrained = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_output)[start..];
        if (!matcher.AcceptBytes(constrained))
            throw new GrammarException($"the output after the trigger ('{Encoding.UTF8.GetString(constrained)}') does not fit the grammar");
        _matcher = matcher;
        ConstrainedFrom = start;
    }

    /// <summary>
    /// A trigger word the vocabulary has as a control token (Llama 3's <c>&lt;|python_tag|&gt;</c>, Mistral's
    /// <c>[TOOL_CALLS]</c>): it prints nothing, so its text never appears in the output, yet it starts the call.
    /// </summary>
    private bool IsControlWord(int token) =>
        _triggers.Words.Count > 0 && _tokenizer.TokenBytes(token).IsEmpty && _triggers.Words.Contains(_tokenizer.TokenText(token));

    /// <summary>Where a trigger word or pattern starts in the output, or -1.</summary>
    private int FindTrigger(int newFrom)
    {
        var output = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_output);
        foreach (byte[] word in _words)
        {
            // Only a match that ends in the new bytes is new.
            int from = Math.Max(0, newFrom - word.Length + 1);
            int at = output[from..].IndexOf(word);
            if (at >= 0) return from + at;
        }
        if (_patterns.Length == 0) return -1;
        string text = Encoding.UTF8.GetString(output);
        foreach (var pattern in _patterns)
        {
            var match = pattern.Match(text);
            if (!match.Success || match.Index != 0) continue;
            int charStart = match.Groups.Count > 1 && match.Groups[1].Success ? match.Groups[1].Index : match.Index;
            return Encoding.UTF8.GetByteCount(text.AsSpan(0, charStart));
        }
        return -1;
    }
}
