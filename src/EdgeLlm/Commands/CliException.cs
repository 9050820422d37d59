namespace EdgeLlm.Commands;

/// <summary>A user-facing failure of a command: printed as "error: ..." with exit code 2.</summary>
public sealed class CliException(string message) : Exception(message);
