using EdgeLlm.Core.Model;
using EdgeLlm.Core.Sampling;
using EdgeLlm.Pipeline;
using Microsoft.Extensions.Logging;

namespace EdgeLlm.Config;

/// <summary>
/// The daemon's validated configuration. Every key can come from <c>/etc/edgellm/edgellm.json</c> (snake_case key),
/// an environment variable (<c>EDGELLM_</c> + upper-case key) or a flag (<c>--</c> + key with dashes); later wins.
/// See <see cref="ConfigLoader"/> and deploy/edgellm.json.
/// </summary>
public sealed record EdgeLlmConfig
{
    public const string DefaultPath = "/etc/edgellm/edgellm.json";
    public const string DefaultSocketPath = "/run/edgellm/edgellm.sock";

    // Model
    public required string ModelPath { get; init; }
    public int ContextSize { get; init; } = 2048;
    /// <summary>Worker threads; <see cref="ModelOptions.AutoThreads"/> = measured at load.</summary>
    public int Threads { get; init; } = ModelOptions.AutoThreads;
    public KvCacheType KvType { get; init; } = KvCacheType.F16;
    public bool Mlock { get; init; }

    // Answers
    public string Template { get; init; } = "auto";
    public bool Think { get; init; }
    public SamplingOptions Sampling { get; init; } = new();
    public int MaxTokens { get; init; } = 256;
    public int MaxAnswerTokens { get; init; } = 1024;
    public int MaxPromptTokens { get; init; }

    // Requests
    public int QueueLength { get; init; } = 8;
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(120);
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(300);

    // Socket
    public string SocketPath { get; init; } = DefaultSocketPath;
    public UnixFileMode SocketMode { get; init; } = (UnixFileMode)Convert.ToInt32("660", 8);
    public string? SocketGroup { get; init; }
    public int MaxConnections { get; init; } = 32;

    /// <summary>A connection with nothing in flight that sends nothing this long is closed; zero = never.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);
    public int MaxLineBytes { get; init; } = 1 << 20;

    // Logging
    public string? LogPath { get; init; }
    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    public Guards.ThermalSettings Thermal { get; init; } = new();

    /// <summary>True: a context that does not fit in memory is shrunk; false: the daemon refuses to start.</summary>
    public bool ShrinkContextToFit { get; init; } = true;
    public long MemoryFloorBytes { get; init; } = 128L << 20;
    public string MemoryProcRoot { get; init; } = "/proc";
    public string MemoryCgroupRoot { get; init; } = "/sys/fs/cgroup";

    public Guards.MemoryInfoReader MemoryReader() => new(MemoryProcRoot, MemoryCgroupRoot);
    public bool Prefetch { get; init; }
    public Status.GpioSettings Gpio { get; init; } = new();
    public Transports.Mqtt.MqttSettings Mqtt { get; init; } = new();
    public Http.HttpSettings Http { get; init; } = new();

    /// <summary>Where each key that was set came from (a file path, EDGELLM_X or --x), for start-up errors.</summary>
    public IReadOnlyDictionary<string, string> Sources { get; init; } = new Dictionary<string, string>();

    /// <summary>" (from /etc/edgellm/edgellm.json)", or " (default)" for a key nobody set.</summary>
    public string SourceNote(string key) => Sources.TryGetValue(key, out var source) ? $" (from {source})" : " (default)";

    /// <summary>Directory of the interleaved weight cache; null = off.</summary>
    public string? WeightCacheDirectory { get; init; }

    /// <summary>Cached prompt prefixes besides the live one; null = sized by the memory guard (at least 2), 0 = none.</summary>
    public int? PromptCacheSlots { get; init; }

    /// <summary>Bytes of keys and values all slots may hold (in memory, and so on disk); null = sized by the memory guard.</summary>
    public long? PromptCacheBytes { get; init; }

    /// <summary>Where slots are kept across restarts; null = memory only.</summary>
    public string? PromptCacheDirectory { get; init; }

    public ModelOptions ToModelOptions() => new()
    {
        ContextLength = ContextSize, Threads = Threads, KvType = KvType, InterleavedCacheDirectory = WeightCacheDirectory,
    };

    public Transports.Socket.SocketSettings ToSocketSettings() => new()
    {
        Path = SocketPath, Mode = SocketMode, Group = SocketGroup, MaxConnections = MaxConnections, IdleTimeout = IdleTimeout, MaxLineBytes = MaxLineBytes,
    };

    public Hosting.EngineSettings ToEngineSettings() => new(ModelPath, Threads, KvType);

    public PipelineOptions ToPipelineOptions() => new()
    {
        DefaultTemplate = Template,
        DefaultThink = Think,
        DefaultSampling = Sampling,
        DefaultMaxTokens = MaxTokens,
        MaxAnswerTokens = MaxAnswerTokens,
        MaxPromptTokens = MaxPromptTokens,
        QueueLength = QueueLength,
        RequestTimeout = RequestTimeout,
        StallTimeout = StallTimeout,
    };
}
