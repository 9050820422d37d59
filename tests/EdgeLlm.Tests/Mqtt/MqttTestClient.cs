using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeLlm.Tests.Mqtt;

/// <summary>A requester for tests: an MQTTnet client that records every message it receives, in order.</summary>
internal sealed class MqttTestClient : IAsyncDisposable
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly Channel<MqttApplicationMessage> _received = Channel.CreateUnbounded<MqttApplicationMessage>();
    private readonly MosquittoBroker _broker;
    private readonly string _clientId = "test-" + Guid.NewGuid().ToString("N")[..8];
    private readonly List<string> _subscriptions = [];

    private MqttTestClient(MosquittoBroker broker)
    {
        _broker = broker;
        _client.ApplicationMessageReceivedAsync += e =>
        {
            _received.Writer.TryWrite(e.ApplicationMessage);
            return Task.CompletedTask;
        };
    }

    public static async Task<MqttTestClient> ConnectAsync(MosquittoBroker broker, params string[] subscriptions)
    {
        var c = new MqttTestClient(broker);
        await c.ConnectOnceAsync();
        foreach (var s in subscriptions) await c.SubscribeAsync(s);
        return c;
    }

    public bool IsConnected => _client.IsConnected;

    public async Task ConnectOnceAsync()
    {
        var b = new MqttClientOptionsBuilder().WithTcpServer(_broker.Host, _broker.Port).WithClientId(_clientId)
            .WithCleanStart(false).WithSessionExpiryInterval(300).WithTimeout(TimeSpan.FromSeconds(5));
        if (_broker.Username is not null) b.WithCredentials(_broker.Username, _broker.Password);
        if (_broker.CaCertificatePath is not null)
        {
            var trust = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection();
            trust.ImportFromPemFile(_broker.CaCertificatePath);
            b.WithTlsOptions(t => t.UseTls().WithTrustChain(trust).WithRevocationMode(System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck));
        }
        var result = await _client.ConnectAsync(b.Build());
        if (result.ResultCode != MqttClientConnectResultCode.Success) throw new InvalidOperationException($"test client: {result.ResultCode}");
    }

    /// <summary>Reconnects (after a broker restart) and subscribes again, retrying until the broker listens.</summary>
    public async Task ReconnectAsync()
    {
        for (int i = 0; i < 200; i++)
        {
            try
            {
                if (!_client.IsConnected) await ConnectOnceAsync();
                foreach (var s in _subscriptions) await _client.SubscribeAsync(s, MqttQualityOfServiceLevel.AtLeastOnce);
                return;
            }
            catch (Exception) when (i < 199)
            {
                await Task.Delay(50);
            }
        }
    }

    public async Task SubscribeAsync(string topic)
    {
        _subscriptions.Add(topic);
        await _client.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
    }

    public Task PublishAsync(string topic, string payload, string? responseTopic = null, byte[]? correlation = null, bool retain = false) =>
        PublishAsync(topic, Encoding.UTF8.GetBytes(payload), responseTopic, correlation, retain);

    public async Task PublishAsync(string topic, byte[] payload, string? responseTopic = null, byte[]? correlation = null, bool retain = false)
    {
        var b = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag(retain);
        if (responseTopic is not null) b.WithResponseTopic(responseTopic);
        if (correlation is not null) b.WithCorrelationData(correlation);
        await _client.PublishAsync(b.Build());
    }

    /// <summary>The next message received (on any subscribed topic).</summary>
    public async Task<MqttApplicationMessage> NextAsync(TimeSpan? timeout = null) =>
        await _received.Reader.ReadAsync().AsTask().WaitAsync(timeout ?? TimeSpan.FromSeconds(20));

    /// <summary>Messages until (and including) the first final reply (done or error) on <paramref name="topic"/>.</summary>
    public async Task<List<JsonElement>> RepliesUntilFinalAsync(string? topic = null, TimeSpan? timeout = null)
    {
        var list = new List<JsonElement>();
        while (true)
        {
            var m = await NextAsync(timeout);
            if (topic is not null && m.Topic != topic) continue;
            var json = Json(m);
            list.Add(json);
            if (json.TryGetProperty("done", out _) || json.TryGetProperty("error", out _)) return list;
        }
    }

    /// <summary>The first message on <paramref name="topic"/> that satisfies <paramref name="match"/>.</summary>
    public async Task<MqttApplicationMessage> WaitForAsync(string topic, Func<MqttApplicationMessage, bool>? match = null, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var m = await _received.Reader.ReadAsync(cts.Token);
            if (m.Topic == topic && (match is null || match(m))) return m;
        }
    }

    public static JsonElement Json(MqttApplicationMessage m) => JsonDocument.Parse(m.Payload.ToArray()).RootElement.Clone();

    public static string Text(MqttApplicationMessage m) => Encoding.UTF8.GetString(m.Payload.ToArray());

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_client.IsConnected) await _client.DisconnectAsync();
        }
        catch (Exception)
        {
        }
        _client.Dispose();
    }
}
