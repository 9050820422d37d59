namespace EdgeLlm.Config;

/// <summary>The configuration is invalid; <see cref="Exception.Message"/> lists every problem, one line each, naming the key and where it came from.</summary>
public sealed class ConfigException(IReadOnlyList<string> problems) : Exception(string.Join('\n', problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
