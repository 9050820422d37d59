namespace EdgeLlm.Http.Tools;

/// <summary>A function the client offers the model: <paramref name="ParametersJson"/> is its JSON schema, verbatim.</summary>
public sealed record ToolDefinition(string Name, string? Description, string ParametersJson);
