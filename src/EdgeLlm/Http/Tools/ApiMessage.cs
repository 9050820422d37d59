namespace EdgeLlm.Http.Tools;

/// <summary>
/// One conversation message as both HTTP APIs carry it, before rendering: an assistant message may hold
/// <see cref="ToolCalls"/>, a <c>tool</c> message holds a function's result (<see cref="ToolName"/> or <see cref="ToolCallId"/>).
/// </summary>
public sealed record ApiMessage(string Role, string Content)
{
    public const string ToolRole = "tool";

    public IReadOnlyList<ToolCall> ToolCalls { get; init; } = [];
    public string? ToolName { get; init; }
    public string? ToolCallId { get; init; }
}
