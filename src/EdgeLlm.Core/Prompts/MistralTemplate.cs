namespace EdgeLlm.Core.Prompts;

/// <summary>
/// Mistral instruct formats, matching llama.cpp's <c>mistral-v3</c> (name <c>mistral</c>) and <c>mistral-v1</c> renderers:
/// <code>
/// v3: [INST] {system}\n\n{user}[/INST] {answer}&lt;/s&gt;[INST] {user2}[/INST]
/// v1:  [INST] {system}\n\n{user} [/INST] {answer}&lt;/s&gt; [INST] {user2} [/INST]
/// </code>
/// The system message is prepended to the user message of the same <c>[INST]</c> block (normally the first one).
/// The leading <c>&lt;s&gt;</c> is the tokenizer's BOS. Deliberate differences from llama.cpp: answers are trimmed in v1
/// too (llama.cpp trims only in v3), and a user message that directly follows another user message opens a new
/// <c>[INST]</c> block instead of being appended after the previous <c>[/INST]</c>.
/// v1 fits Mistral-7B-Instruct v0.1/v0.2 style templates (<c>' [/INST]'</c> with a space); v3 fits v0.3 and later.
/// </summary>
internal sealed class MistralTemplate : ChatTemplate
{
    private static readonly string[] Stops = ["</s>", "[INST]"];

    private readonly bool _v1;

    public MistralTemplate(bool v1) => _v1 = v1;

    public override string Name => _v1 ? "mistral-v1" : "mistral";
    public override IReadOnlyList<string> DefaultStopStrings => Stops;
    public override IReadOnlyList<string> SupportedRoles => SystemUserAssistant;

    private protected override void RenderCore(IReadOnlyList<ChatMessage> messages, bool addAssistantPrompt, PromptBuilder output)
    {
        string openInst = _v1 ? " [INST] " : "[INST] ";
        string closeInst = _v1 ? " [/INST]" : "[/INST]";
        bool open = false;

        foreach (var m in messages)
        {
            switch (m.Role)
            {
                case ChatRoles.System:
                    if (!open)
                    {
                        output.Template(openInst);
                        open = true;
                    }
                    output.Content(m.Content).Template("\n\n");
                    break;
                case ChatRoles.User:
                    if (!open)
                        output.Template(openInst);
                    output.Content(m.Content).Template(closeInst);
                    open = false;
                    break;
                default: // assistant
                    if (open)
                    {
                        output.Template(closeInst);
                        open = false;
                    }
                    output.Template(" ").Content(m.Content.Trim()).Template("</s>");
                    break;
            }
        }

        if (open && addAssistantPrompt)
            output.Template(closeInst);
    }
}
