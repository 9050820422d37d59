namespace EdgeLlm.Core.Prompts;

/// <summary>
/// Turns a conversation into prompt text. Built-in implementations are obtained from <see cref="ChatTemplates"/>.
/// Renders never include the leading BOS (the tokenizer adds it); message contents are always emitted as
/// non-template segments.
/// </summary>
public abstract class ChatTemplate
{
    private protected ChatTemplate()
    {
    }

    /// <summary>Registry name, e.g. <c>chatml</c>.</summary>
    public abstract string Name { get; }

    /// <summary>Text forms of the end-of-turn markers; useful as stop strings in addition to EOS.</summary>
    public abstract IReadOnlyList<string> DefaultStopStrings { get; }

    /// <summary>Roles this template accepts.</summary>
    public abstract IReadOnlyList<string> SupportedRoles { get; }

    /// <summary>
    /// Whether the model may think aloud in <c>&lt;think&gt;…&lt;/think&gt;</c> before answering (Qwen3); then
    /// <see cref="Render"/>'s <c>think</c> argument turns it on or off as the model's own template does.
    /// </summary>
    public virtual bool HasThinking => false;

    /// <summary>Renders <paramref name="messages"/>; with <paramref name="addAssistantPrompt"/> the text ends where the
    /// assistant's reply should start. <paramref name="think"/> matters only where <see cref="HasThinking"/>.</summary>
    /// <exception cref="ArgumentException">A message has an unsupported role or a role sequence the template cannot express.</exception>
    public RenderedPrompt Render(IReadOnlyList<ChatMessage> messages, bool addAssistantPrompt = true, bool think = false)
    {
        ArgumentNullException.ThrowIfNull(messages);
        for (int i = 0; i < messages.Count; i++)
        {
            ChatMessage? m = messages[i];
            if (m is null || m.Role is null || m.Content is null)
                throw new ArgumentException($"Message {i} is null or has a null role/content.", nameof(messages));
            if (!IsSupportedRole(m.Role))
                throw new ArgumentException(
                    $"Chat template '{Name}' does not support role '{m.Role}' (message {i}); supported roles: {string.Join(", ", SupportedRoles)}.",
                    nameof(messages));
        }
        var builder = new PromptBuilder();
        RenderCore(messages, addAssistantPrompt, think, builder);
        return builder.Build();
    }

    private protected virtual void RenderCore(IReadOnlyList<ChatMessage> messages, bool addAssistantPrompt, bool think, PromptBuilder output) =>
        RenderCore(messages, addAssistantPrompt, output);

    private protected virtual bool IsSupportedRole(string role) => SupportedRoles.Contains(role);

    private protected abstract void RenderCore(IReadOnlyList<ChatMessage> messages, bool addAssistantPrompt, PromptBuilder output);

    public override string ToString() => Name;

    private protected static readonly string[] SystemUserAssistant = [ChatRoles.System, ChatRoles.User, ChatRoles.Assistant];
}
