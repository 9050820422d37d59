using EdgeLlm.Http.Tools;
using EdgeLlm.Pipeline;

namespace EdgeLlm.Http;

/// <summary>What an HTTP generation produces, in order: text pieces, then the calls (if any), then one end.</summary>
public abstract record OutputEvent;

/// <summary>Answer text (or thought, when <see cref="IsThinking"/>).</summary>
public sealed record TextEvent(string Text, bool IsThinking) : OutputEvent;

/// <summary>The function calls the answer made.</summary>
public sealed record ToolCallsEvent(IReadOnlyList<ToolCall> Calls) : OutputEvent;

/// <summary>The generation ended; <see cref="Content"/>/<see cref="Thinking"/> are the whole answer and thought without the calls.</summary>
public sealed record FinishedEvent(RequestCompletion Completion, string Content, string Thinking, IReadOnlyList<ToolCall> Calls) : OutputEvent;

/// <summary>The request failed or was refused; <see cref="Code"/> is one of the wire error codes.</summary>
public sealed record FailedEvent(string Code, string Message) : OutputEvent;
