namespace EdgeLlm.Core.Prompts;

/// <summary>
/// Llama 2 chat, as Meta's reference template (the HF <c>tokenizer.chat_template</c>) renders it, minus the first BOS:
/// <code>
/// [INST] &lt;&lt;SYS&gt;&gt;\n{system}\n&lt;&lt;/SYS&gt;&gt;\n\n{user} [/INST] {answer} &lt;/s&gt;&lt;s&gt;[INST] {user2} [/INST]
/// </code>
/// User and assistant contents are trimmed (the reference template applies <c>.strip()</c>); the system text is kept as is.
/// Deliberate differences from llama.cpp's built-in (non-jinja) llama2 renderers: llama.cpp writes the answer
/// right after <c>[/INST]</c> and before <c>&lt;/s&gt;</c> without the surrounding spaces, and only its
/// <c>llama2-sys-bos</c> variant emits the <c>&lt;s&gt;</c> between turns. We keep Meta's spacing so that a re-rendered
/// history tokenizes like the answer the model produced (a leading "▁" piece).
/// A system message that is not first opens (or joins) the next <c>[INST]</c> block; consecutive user messages each get
/// their own block. There is no separate generation prompt: the text already ends in <c>[/INST]</c>.
/// </summary>
internal sealed class Llama2Template : ChatTemplate
{
    private static readonly string[] Stops = ["</s>", "[INST]"];

    public override string Name => "llama2";
    public override IReadOnlyList<string> DefaultStopStrings => Stops;
    public override IReadOnlyList<string> SupportedRoles => SystemUserAssistant;

    private protected override void RenderCore(IReadOnlyList<ChatMessage> messages, bool addAssistantPrompt, PromptBuilder output)
    {
        bool open = false;      // inside "[INST] ..." waiting for " [/INST]"
        bool afterEos = false;  // an answer ended with </s>: the next turn starts with <s>

        void Open()
        {
            if (open)
                return;
            output.Template(afterEos ? "<s>[INST] " : "[INST] ");
            open = true;
        }

        foreach (var m in messages)
        {
            switch (m.Role)
            {
                case ChatRoles.System:
                    Open();
                    output.Template("<<SYS>>\n").Content(m.Content).Template("\n<</SYS>>\n\n");
                    break;
                case ChatRoles.User:
                    Open();
                    output.Content(m.Content.Trim()).Template(" [/INST]");
                    open = false;
                    break;
                default: // assistant
                    if (open)
                    {
                        output.Template(" [/INST]");
                        open = false;
                    }
                    output.Template(" ").Content(m.Content.Trim()).Template(" </s>");
                    afterEos = true;
                    break;
            }
        }

        if (open && addAssistantPrompt)
            output.Template(" [/INST]");
    }
}
