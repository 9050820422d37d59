namespace EdgeLlm.Core.Gguf;

/// <summary>A model file that cannot be used: malformed, truncated, unsupported or unreadable.</summary>
/// <remarks>The message is a single line meant for the user; it never carries a stack trace.</remarks>
public sealed class GgufException(string message) : Exception(message);
