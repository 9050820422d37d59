namespace EdgeLlm.Core.Prompts;

/// <summary>
/// Llama 3 Instruct: <c>&lt;|start_header_id|&gt;{role}&lt;|end_header_id|&gt;\n\n{content}&lt;|eot_id|&gt;</c> per message
/// (content trimmed, as both Meta's jinja template and llama.cpp do), generation prompt
/// <c>&lt;|start_header_id|&gt;assistant&lt;|end_header_id|&gt;\n\n</c>. The leading <c>&lt;|begin_of_text|&gt;</c> is the BOS
/// token and is left to the tokenizer. Same output as llama.cpp's built-in llama3 rendering, except that trimming
/// here uses .NET's Unicode whitespace definition rather than C <c>isspace</c>.
/// </summary>
internal sealed class Llama3Template : ChatTemplate
{
    private static readonly string[] Stops = ["<|eot_id|>", "<|end_of_text|>", "<|start_header_id|>"];

    public override string Name => "llama3";
    public override IReadOnlyList<string> DefaultStopStrings => Stops;
    // ipython: the result of a tool call, as Llama 3.1/3.2's own template renders tool messages.
    private static readonly string[] Roles = [ChatRoles.System, ChatRoles.User, ChatRoles.Assistant, "ipython"];

    public override IReadOnlyList<string> SupportedRoles => Roles;

    private protected override void RenderCore(IReadOnlyList<ChatMessage> messages, bool addAssistantPrompt, PromptBuilder output)
    {
        foreach (var m in messages)
        {
            output.Template("<|start_header_id|>" + m.Role + "<|end_header_id|>\n\n")
                .Content(m.Content.Trim())
                .Template("<|eot_id|>");
        }
        if (addAssistantPrompt)
            output.Template("<|start_header_id|>assistant<|end_header_id|>\n\n");
    }
}
