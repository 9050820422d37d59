namespace EdgeLlm.Core.Prompts;

/// <summary>
/// A piece of a rendered prompt. Template text (<see cref="IsTemplate"/> = true) may contain control tokens
/// such as <c>&lt;|im_end|&gt;</c>, <c>&lt;/s&gt;</c> or <c>[INST]</c> that the tokenizer should map to special ids;
/// other text (message contents) must be tokenized as plain text so a user cannot inject control tokens.
/// </summary>
public readonly record struct PromptSegment(string Text, bool IsTemplate);

/// <summary>A prompt as alternating template / content segments. Adjacent segments of the same kind are merged
/// and empty ones dropped. BOS is never part of the text: the tokenizer adds it.</summary>
public sealed class RenderedPrompt
{
    private readonly PromptSegment[] _segments;

    public RenderedPrompt(IEnumerable<PromptSegment> segments)
    {
        ArgumentNullException.ThrowIfNull(segments);
        var merged = new List<PromptSegment>();
        foreach (var s in segments)
        {
            if (string.IsNullOrEmpty(s.Text))
                continue;
            if (merged.Count > 0 && merged[^1].IsTemplate == s.IsTemplate)
                merged[^1] = new PromptSegment(merged[^1].Text + s.Text, s.IsTemplate);
            else
                merged.Add(s);
        }
        _segments = [.. merged];
    }

    public IReadOnlyList<PromptSegment> Segments => _segments;

    /// <summary>All segments concatenated (for display, logging and tests).</summary>
    public string ToPlainString() => string.Concat(_segments.Select(s => s.Text));

    public override string ToString() => ToPlainString();
}

/// <summary>Collects segments while a template renders.</summary>
internal sealed class PromptBuilder
{
    private readonly List<PromptSegment> _segments = [];
    private int _length;

    /// <summary>Characters appended so far.</summary>
    public int Length => _length;

    /// <summary>Template text (may contain control tokens).</summary>
    public PromptBuilder Template(string text)
    {
        Add(text, true);
        return this;
    }

    /// <summary>Message content (never parsed for control tokens).</summary>
    public PromptBuilder Content(string text)
    {
        Add(text, false);
        return this;
    }

    private void Add(string text, bool isTemplate)
    {
        if (text.Length == 0)
            return;
        _segments.Add(new PromptSegment(text, isTemplate));
        _length += text.Length;
    }

    public RenderedPrompt Build() => new(_segments);
}
