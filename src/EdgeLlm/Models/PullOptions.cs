namespace EdgeLlm.Models;

/// <summary>How <see cref="ModelPuller"/> talks to servers and the disk; the defaults are the real ones.</summary>
public sealed record PullOptions
{
    /// <summary>A client with automatic redirects off (<see cref="PullHttp.CreateClient"/>): the puller follows them itself.</summary>
    public HttpClient? Http { get; init; }
    public ModelEndpoints Endpoints { get; init; } = ModelEndpoints.Default;
    public IDiskSpace Disk { get; init; } = DriveDiskSpace.Instance;
    /// <summary>Tries per pull: a cut connection resumes from the bytes already on disk (HTTP Range).</summary>
    public int MaxAttempts { get; init; } = 4;
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>A server sending nothing for this long counts as a cut connection.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>Least time between two "downloading" progress reports.</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromMilliseconds(250);
}
