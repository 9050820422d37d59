namespace EdgeLlm.Core.Prompts;

/// <summary>
/// ChatML: <c>&lt;|im_start|&gt;{role}\n{content}&lt;|im_end|&gt;\n</c> per message, generation prompt
/// <c>&lt;|im_start|&gt;assistant\n</c>. Identical to llama.cpp's built-in chatml rendering (content not trimmed).
/// </summary>
internal class ChatMlTemplate : ChatTemplate
{
    private static readonly string[] Stops = ["<|im_end|>", "<|im_start|>"];

    public override string Name => "chatml";
    public override IReadOnlyList<string> DefaultStopStrings => Stops;
    public override IReadOnlyList<string> SupportedRoles => SystemUserAssistant;

    private protected override void RenderCore(IReadOnlyList<ChatMessage> messages, bool addAssistantPrompt, PromptBuilder output)
    {
        foreach (var m in messages)
            output.Template("<|im_start|>" + m.Role + "\n").Content(m.Content).Template("<|im_end|>\n");
        if (addAssistantPrompt)
            output.Template("<|im_start|>assistant\n");
    }
}
