using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using EdgeLlm.Config;
using EdgeLlm.Core.Sampling;
using EdgeLlm.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeLlm.Tests.Daemon;

/// <summary>The real daemon host, in-process, on a private socket, serving stories260K (optionally slowed per token).</summary>
internal sealed class TestDaemon : IAsyncDisposable
{
    private readonly IHost _host;
    public SlowEngine Engine { get; }
    public EdgeLlmConfig Config { get; }

    private TestDaemon(IHost host, SlowEngine engine, EdgeLlmConfig config)
    {
        _host = host;
        Engine = engine;
        Config = config;
    }

    public static string NewSocketPath() => Path.Combine(Path.GetTempPath(), $"edgellm-{Guid.NewGuid():N}"[..20] + ".sock");

    public static EdgeLlmConfig BaseConfig(string? socketPath = null) => new()
    {
        ModelPath = Fixtures.Model("stories260K.gguf"),
        SocketPath = socketPath ?? NewSocketPath(),
        ContextSize = 512,
        Threads = 1,
        Template = "raw",
        Sampling = SamplingOptions.Greedy,
        LogLevel = LogLevel.Warning,
        // Off here: every test daemon would fight for port 11434. The HTTP tests turn it on with port 0.
        Http = new EdgeLlm.Http.HttpSettings { Enabled = false },
    };

    public static async Task<TestDaemon> StartAsync(int msPerToken = 0, Func<EdgeLlmConfig, EdgeLlmConfig>? configure = null, bool stubborn = false,
        Func<SlowEngine, EdgeLlm.Pipeline.IGenerationEngine>? wrap = null)
    {
        var config = BaseConfig();
        if (configure is not null) config = configure(config);
        var engine = SlowEngine.Create(TimeSpan.FromMilliseconds(msPerToken), stubborn);
        var served = wrap is null ? engine : wrap(engine);
        var host = DaemonHost.Build(config, s => s.AddSingleton<EngineLoader>(() => served));
        await host.StartAsync();
        return new TestDaemon(host, engine, config);
    }

    public TestClient Connect() => new(Config.SocketPath);

    /// <summary>The HTTP API's base address (when the config enabled it).</summary>
    public Uri HttpBase => new($"http://{_host.Services.GetRequiredService<EdgeLlm.Http.HttpService>().BoundEndPoint}/");

    public Task StopAsync() => _host.StopAsync();

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        File.Delete(Config.SocketPath);
    }
}

/// <summary>A raw socket client reading reply lines as JSON.</summary>
internal sealed class TestClient : IDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly StreamReader _reader;

    public TestClient(string path)
    {
        _socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _socket.Connect(new UnixDomainSocketEndPoint(path));
        _stream = new NetworkStream(_socket, ownsSocket: true);
        _reader = new StreamReader(_stream, new UTF8Encoding(false));
    }

    public void Send(string line) => SendBytes(Encoding.UTF8.GetBytes(line + "\n"));

    public void SendBytes(byte[] bytes) => _stream.Write(bytes);

    /// <summary>The next reply line (fails after 20 s, or with null at end of stream).</summary>
    public async Task<JsonElement?> ReadAsync(int timeoutMs = 20_000)
    {
        string? line = await _reader.ReadLineAsync().WaitAsync(TimeSpan.FromMilliseconds(timeoutMs));
        if (line is null) return null;
        using var doc = JsonDocument.Parse(line);
        return doc.RootElement.Clone();
    }

    public async Task<JsonElement> ReadOneAsync() => await ReadAsync() ?? throw new EndOfStreamException("the daemon closed the connection");

    /// <summary>Reads until the final (done or error) reply of <paramref name="id"/>; returns every line read for it.</summary>
    public async Task<List<JsonElement>> ReadUntilFinalAsync(string id, List<JsonElement>? others = null)
    {
        var lines = new List<JsonElement>();
        while (true)
        {
            var reply = await ReadOneAsync();
            if (reply.TryGetProperty("id", out var rid) && rid.GetString() == id)
            {
                lines.Add(reply);
                if (IsFinal(reply)) return lines;
            }
            else
            {
                others?.Add(reply);
            }
        }
    }

    public static bool IsFinal(JsonElement reply) => reply.TryGetProperty("done", out _) || reply.TryGetProperty("error", out _);

    public void Dispose() => _reader.Dispose();
}

internal static class ReplyExtensions
{
    public static string Str(this JsonElement e, string name) => e.GetProperty(name).GetString()!;
    public static string? ErrorCode(this JsonElement e) => e.TryGetProperty("error", out var err) ? err.Str("code") : null;
    public static string Finish(this JsonElement e) => e.Str("finish_reason");
}
