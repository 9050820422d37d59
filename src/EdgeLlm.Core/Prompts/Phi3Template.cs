namespace EdgeLlm.Core.Prompts;

/// <summary>
/// Phi-3 / Phi-3.5: <c>&lt;|{role}|&gt;\n{content}&lt;|end|&gt;\n</c> per message, generation prompt <c>&lt;|assistant|&gt;\n</c>,
/// as llama.cpp's built-in phi3 rendering. The model ends its turn with <c>&lt;|end|&gt;</c>.
/// </summary>
internal sealed class Phi3Template : ChatTemplate
{
    private static readonly string[] Stops = ["<|end|>", "<|user|>", "<|endoftext|>"];

    public override string Name => "phi3";
    public override IReadOnlyList<string> DefaultStopStrings => Stops;
    public override IReadOnlyList<string> SupportedRoles => SystemUserAssistant;

    private protected override void RenderCore(IReadOnlyList<ChatMessage> messages, bool addAssistantPrompt, PromptBuilder output)
    {
        foreach (var m in messages)
            output.Template("<|" + m.Role + "|>\n").Content(m.Content).Template("<|end|>\n");
        if (addAssistantPrompt)
            output.Template("<|assistant|>\n");
    }
}
