namespace EdgeLlm.Core.Prompts;

/// <summary>One chat turn. Roles are lowercase: <c>system</c>, <c>user</c>, <c>assistant</c>
/// (the alpaca template also accepts <c>input</c>, see <see cref="ChatRoles.Input"/>).</summary>
public sealed record ChatMessage(string Role, string Content)
{
    public static ChatMessage System(string content) => new(ChatRoles.System, content);
    public static ChatMessage User(string content) => new(ChatRoles.User, content);
    public static ChatMessage Assistant(string content) => new(ChatRoles.Assistant, content);
    public static ChatMessage Input(string content) => new(ChatRoles.Input, content);
}

/// <summary>Role names understood by the built-in templates.</summary>
public static class ChatRoles
{
    public const string System = "system";
    public const string User = "user";
    public const string Assistant = "assistant";

    /// <summary>Alpaca only: the "### Input:" context of the user instruction right before it.</summary>
    public const string Input = "input";
}
