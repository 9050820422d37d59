namespace EdgeLlm.Core.Prompts;

/// <summary>
/// Qwen3: ChatML plus its thinking convention, rendered as Qwen3's own jinja template renders it.
/// <list type="bullet">
/// <item>With thinking off (the default), the generation prompt is <c>&lt;|im_start|&gt;assistant\n&lt;think&gt;\n\n&lt;/think&gt;\n\n</c>:
/// an empty thought, so the model answers directly (the template's <c>enable_thinking=false</c>).</item>
/// <item>With thinking on, it ends at <c>&lt;|im_start|&gt;assistant\n</c> and the model writes its thought first.</item>
/// <item>Earlier assistant turns keep only their answer: the template drops the reasoning before <c>&lt;/think&gt;</c>.</item>
/// </list>
/// </summary>
internal sealed class Qwen3Template : ChatMlTemplate
{
    public override string Name => "qwen3";
    public override bool HasThinking => true;

    private protected override void RenderCore(IReadOnlyList<ChatMessage> messages, bool addAssistantPrompt, bool think, PromptBuilder output)
    {
        foreach (var m in messages)
        {
            string content = m.Role == ChatRoles.Assistant ? WithoutThought(m.Content) : m.Content;
            output.Template("<|im_start|>" + m.Role + "\n").Content(content).Template("<|im_end|>\n");
        }
        if (!addAssistantPrompt) return;
        output.Template("<|im_start|>assistant\n");
        if (!think) output.Template("<think>\n\n</think>\n\n");
    }

    private static string WithoutThought(string content)
    {
        int end = content.LastIndexOf("</think>", StringComparison.Ordinal);
        return end < 0 ? content : content[(end + "</think>".Length)..].TrimStart('\n');
    }
}
