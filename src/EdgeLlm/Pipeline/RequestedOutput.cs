namespace EdgeLlm.Pipeline;

/// <summary>
/// What a request's output must look like, as the client asked (HTTP <c>format</c>/<c>response_format</c>, <c>tools</c>
/// with <c>tool_choice</c>). A JSON format is enforced through the request's <c>json_schema</c> (the grammar-constrained
/// sampler); tool calls are not yet: the answer is parsed afterwards. This is the seam for that: a lazy grammar
/// (<c>Core.Sampling.Grammar.OutputConstraint.Lazy</c>) built from it (active from the
/// first <see cref="ToolTriggers"/> on, or from the first token when <see cref="ToolCallRequired"/>) makes the model
/// produce only a call of one of <see cref="ToolSchemas"/>, with arguments valid against that function's schema.
/// </summary>
public sealed record RequestedOutput
{
    /// <summary>The answer must be a JSON object (<c>format: "json"</c>, <c>response_format: json_object</c>).</summary>
    public bool JsonObject { get; init; }

    /// <summary>The answer must be valid against this JSON schema (<c>format: {schema}</c>, <c>response_format: json_schema</c>).</summary>
    public string? JsonSchema { get; init; }

    /// <summary>Offered functions: name → the JSON schema of its arguments.</summary>
    public IReadOnlyDictionary<string, string> ToolSchemas { get; init; } = new Dictionary<string, string>();

    /// <summary>Texts that start a call in the model family's format (e.g. <c>&lt;tool_call&gt;</c>).</summary>
    public IReadOnlyList<string> ToolTriggers { get; init; } = [];

    /// <summary>The answer must be a call (<c>tool_choice: "required"</c> or a named function).</summary>
    public bool ToolCallRequired { get; init; }

    public bool IsEmpty => !JsonObject && JsonSchema is null && ToolSchemas.Count == 0;
}
