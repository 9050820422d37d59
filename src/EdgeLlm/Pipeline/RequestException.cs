namespace EdgeLlm.Pipeline;

/// <summary>A request that cannot be served as asked: <see cref="Code"/> is the wire error code.</summary>
public sealed class RequestException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}
