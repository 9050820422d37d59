namespace EdgeLlm.Core.Prompts;

/// <summary>
/// Stanford Alpaca instruction format, for instruction-tuned Llama-1 / Alpaca-style models without a chat template.
/// <list type="bullet">
/// <item>A leading <c>system</c> message replaces the preamble ("Below is an instruction…"); an empty system message
/// removes it. Without one, the preamble is the "paired with an input" variant when any instruction has an input.</item>
/// <item>A <c>user</c> message is an "### Instruction:"; an <c>input</c> message right after it becomes its "### Input:".</item>
/// <item>An <c>assistant</c> message is a previous "### Response:"; the next instruction follows after a blank line.</item>
/// </list>
/// llama.cpp has no built-in alpaca template (its "### Instruction:" detection maps to deepseek-coder, which has no
/// preamble and uses &lt;|EOT|&gt;); this follows the original Alpaca training prompts instead.
/// </summary>
internal sealed class AlpacaTemplate : ChatTemplate
{
    internal const string Preamble =
        "Below is an instruction that describes a task. Write a response that appropriately completes the request.";

    internal const string PreambleWithInput =
        "Below is an instruction that describes a task, paired with an input that provides further context. Write a response that appropriately completes the request.";

    private static readonly string[] Roles = [ChatRoles.System, ChatRoles.User, ChatRoles.Input, ChatRoles.Assistant];
    private static readonly string[] Stops = ["### Instruction:"];

    public override string Name => "alpaca";
    public override IReadOnlyList<string> DefaultStopStrings => Stops;
    public override IReadOnlyList<string> SupportedRoles => Roles;

    private protected override void RenderCore(IReadOnlyList<ChatMessage> messages, bool addAssistantPrompt, PromptBuilder output)
    {
        int first = 0;
        if (messages.Count > 0 && messages[0].Role == ChatRoles.System)
        {
            output.Content(messages[0].Content);
            first = 1;
        }
        else
        {
            bool anyInput = false;
            foreach (var m in messages)
                anyInput |= m.Role == ChatRoles.Input;
            output.Template(anyInput ? PreambleWithInput : Preamble);
        }

        string? previousRole = null;
        for (int i = first; i < messages.Count; i++)
        {
            ChatMessage m = messages[i];
            switch (m.Role)
            {
                case ChatRoles.System:
                    throw new ArgumentException($"Chat template 'alpaca' only supports a system message as the first message (message {i}).", nameof(messages));
                case ChatRoles.User:
                    Section(output, "### Instruction:\n").Content(m.Content);
                    break;
                case ChatRoles.Input:
                    if (previousRole != ChatRoles.User)
                        throw new ArgumentException($"Chat template 'alpaca': an 'input' message must directly follow a 'user' message (message {i}).", nameof(messages));
                    Section(output, "### Input:\n").Content(m.Content);
                    break;
                default: // assistant
                    Section(output, "### Response:\n").Content(m.Content);
                    break;
            }
            previousRole = m.Role;
        }

        if (addAssistantPrompt && previousRole is ChatRoles.User or ChatRoles.Input)
            Section(output, "### Response:\n");
    }

    /// <summary>Sections are separated by a blank line (nothing before the very first one).</summary>
    private static PromptBuilder Section(PromptBuilder output, string header) =>
        output.Length == 0 ? output.Template(header) : output.Template("\n\n" + header);
}
