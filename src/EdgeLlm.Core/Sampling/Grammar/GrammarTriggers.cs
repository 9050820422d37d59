namespace EdgeLlm.Core.Sampling.Grammar;

/// <summary>
/// What switches a lazy grammar on (tool calls): a word appearing anywhere in the output (e.g. <c>&lt;tool_call&gt;</c>),
/// a token id being generated, or a regular expression matching at the start of the output. The grammar then
/// constrains the output from the trigger on (the trigger text itself is fed to it, so the grammar should start with it);
/// a pattern with a capture group starts the constrained part at the group instead.
/// </summary>
public sealed record GrammarTriggers
{
    public IReadOnlyList<string> Words { get; init; } = [];
    public IReadOnlyList<int> Tokens { get; init; } = [];
    public IReadOnlyList<string> Patterns { get; init; } = [];

    public bool IsEmpty => Words.Count == 0 && Tokens.Count == 0 && Patterns.Count == 0;
}
