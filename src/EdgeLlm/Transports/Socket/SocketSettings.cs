namespace EdgeLlm.Transports.Socket;

/// <summary>What the Unix socket transport needs from the configuration (keys <c>socket_*</c>, <c>max_connections</c>, <c>idle_timeout</c>, <c>max_line_bytes</c>).</summary>
public sealed record SocketSettings
{
    public required string Path { get; init; }
    public UnixFileMode Mode { get; init; } = (UnixFileMode)Convert.ToInt32("660", 8);
    public string? Group { get; init; }
    public int MaxConnections { get; init; } = 32;

    /// <summary>A connection with nothing in flight that sends nothing this long is closed; zero = never.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);
    public int MaxLineBytes { get; init; } = 1 << 20;
}
