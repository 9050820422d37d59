using EdgeLlm.Pipeline;
using EdgeLlm.Tests.Daemon;
using EdgeLlm.Transports.Mqtt;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeLlm.Tests.Mqtt;

/// <summary>One daemon as the MQTT tests need it: the stories260K engine (optionally slowed per token), a pipeline, and an MQTT transport.</summary>
internal sealed class MqttNode : IAsyncDisposable
{
    public MqttNode(MosquittoBroker broker, string device, TimeSpan? perToken = null, PipelineOptions? pipeline = null,
        Func<MqttSettings, MqttSettings>? configure = null, Func<DeviceCondition>? condition = null)
    {
        Engine = SlowEngine.Create(perToken ?? TimeSpan.Zero);
        Pipeline = new RequestPipeline(pipeline ?? new PipelineOptions { DefaultTemplate = "raw" }, [], NullLogger<RequestPipeline>.Instance);
        Pipeline.Start(Engine);
        var settings = new MqttSettings
        {
            Enabled = true,
            Host = broker.Host,
            Port = broker.Port,
            DeviceId = device,
            Username = broker.Username,
            Password = broker.Password,
            Tls = broker.CaCertificatePath is not null,
            CaFile = broker.CaCertificatePath,
            ReconnectMin = TimeSpan.FromMilliseconds(100),
            ReconnectMax = TimeSpan.FromMilliseconds(800),
            FleetGroup = "tests",
        };
        Settings = configure is null ? settings : configure(settings);
        Transport = new MqttTransport(Settings, Pipeline, Log, condition);
    }

    public SlowEngine Engine { get; }
    public RequestPipeline Pipeline { get; }
    public MqttSettings Settings { get; }
    public MqttTransport Transport { get; }
    public TestLog Log { get; } = new();
    public MqttTopics Topics => Transport.Topics;

    public async Task<MqttNode> StartAsync(bool waitConnected = true)
    {
        await Transport.StartAsync(CancellationToken.None);
        if (waitConnected) await Transport.WaitConnectedAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15));
        return this;
    }

    public async ValueTask DisposeAsync()
    {
        Pipeline.BeginShutdown();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await Transport.StopAsync(timeout.Token);
        await Transport.DisposeAsync();
        await Pipeline.WorkerStopped.WaitAsync(TimeSpan.FromSeconds(10));
        Engine.Dispose();
    }

    /// <summary>A request payload: greedy, raw template, so the answer is fixed.</summary>
    public static string Request(string? id, int maxTokens = 12, bool stream = false, string prompt = "Once upon a time") =>
        $$"""{{{(id is null ? "" : $"\"id\":\"{id}\",")}}"prompt":"{{prompt}}","temperature":0,"max_tokens":{{maxTokens}},"stream":{{(stream ? "true" : "false")}}}""";
}
