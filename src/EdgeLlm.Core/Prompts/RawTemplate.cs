namespace EdgeLlm.Core.Prompts;

/// <summary>
/// No chat formatting: message contents are concatenated as plain (non-template) text, whatever their role.
/// For base models and hand-written prompts; <c>addAssistantPrompt</c> has no effect and there are no stop strings.
/// </summary>
internal sealed class RawTemplate : ChatTemplate
{
    public override string Name => "raw";
    public override IReadOnlyList<string> DefaultStopStrings => [];
    public override IReadOnlyList<string> SupportedRoles => SystemUserAssistant;

    private protected override bool IsSupportedRole(string role) => true;

    private protected override void RenderCore(IReadOnlyList<ChatMessage> messages, bool addAssistantPrompt, PromptBuilder output)
    {
        foreach (var m in messages)
            output.Content(m.Content);
    }
}
