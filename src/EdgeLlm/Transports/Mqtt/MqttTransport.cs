using System.Reflection;
using EdgeLlm.Pipeline;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeLlm.Transports.Mqtt;

/// <summary>
/// The MQTT transport: joins the broker (<see cref="MqttConnection"/>), takes requests from <c>&lt;prefix&gt;/prompt</c>
/// and the fleet's shared subscription into the <see cref="RequestPipeline"/> (<see cref="MqttRequestHandler"/>),
/// publishes replies in order across reconnects (<see cref="MqttOutbox"/>), keeps the retained status and availability
/// current, and optionally announces itself to Home Assistant. Self-contained: <see cref="StartAsync"/> returns at once
/// (the broker may be down: the connection keeps retrying while the other transports serve), <see cref="StopAsync"/>
/// cancels its requests, flushes their replies, publishes <c>offline</c> and disconnects.
/// </summary>
public sealed class MqttTransport : IAsyncDisposable
{
    private readonly MqttSettings _settings;
    private readonly RequestPipeline _pipeline;
    private readonly ILogger _log;
    private readonly Func<DeviceCondition> _condition;
    private readonly MqttConnection _connection;
    private readonly MqttOutbox _outbox;
    private readonly MqttRequestHandler _handler;
    private readonly MqttStatusPublisher _status;
    private readonly CancellationTokenSource _stop = new();
    private Task _running = Task.CompletedTask;
    private int _started;

    /// <param name="settings">Validated settings (<see cref="MqttSettings.Validate"/>).</param>
    /// <param name="pipeline">The shared request pipeline (the transport only submits, never starts or stops it).</param>
    /// <param name="log">Where connection problems and request events are logged.</param>
    /// <param name="condition">The guards' view of the device for the status (throttled, paused, temperature); null: none.</param>
    public MqttTransport(MqttSettings settings, RequestPipeline pipeline, ILogger log, Func<DeviceCondition>? condition = null)
    {
        var errors = settings.Validate();
        if (errors.Count > 0) throw new ArgumentException("invalid MQTT settings: " + string.Join("; ", errors), nameof(settings));
        _settings = settings;
        _pipeline = pipeline;
        _log = log;
        _condition = condition ?? (() => DeviceCondition.Unknown);
        Topics = new MqttTopics(settings.EffectiveTopicPrefix, settings.FleetGroup);
        _outbox = new MqttOutbox(settings.MaxPendingMessages, Qos, log);
        _connection = new MqttConnection(settings, Topics, log, e => _handler!.OnMessageAsync(e), OnConnectedAsync);
        _status = new MqttStatusPublisher(settings, Topics, Snapshot, _connection, log);
        _handler = new MqttRequestHandler(settings, Topics, pipeline, _outbox,
            new DuplicateFilter(capacity: 4096, window: TimeSpan.FromMinutes(10)), log, _status.Nudge, _status.Republish);
    }

    public MqttTopics Topics { get; }
    public MqttSettings Settings => _settings;

    /// <summary>Connected to the broker and subscribed.</summary>
    public bool IsConnected => _connection.IsConnected;

    /// <summary>MQTT requests queued or running.</summary>
    public int InFlight => _handler.InFlight;

    /// <summary>Replies waiting to be published.</summary>
    public int PendingReplies => _outbox.Count;

    public long DuplicatesIgnored => _handler.DuplicatesIgnored;

    internal MqttConnection Connection => _connection;

    private MqttQualityOfServiceLevel Qos => (MqttQualityOfServiceLevel)_settings.Qos;

    /// <summary>Completes once connected and set up (for tests and for a "ready" log line; the transport works without awaiting it).</summary>
    public Task WaitConnectedAsync(CancellationToken cancellation) => _connection.WaitConnectedAsync(cancellation);

    /// <summary>Starts connecting in the background and returns at once.</summary>
    public Task StartAsync(CancellationToken cancellation)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0) throw new InvalidOperationException("the MQTT transport already started");
        _log.LogInformation("mqtt: joining {Host}:{Port} as {ClientId}, topics under {Prefix}{Fleet}", _settings.Host, _settings.EffectivePort,
            _settings.EffectiveClientId, Topics.Prefix, Topics.FleetSubscription is { } f ? $", fleet {f}" : "");
        var stop = _stop.Token;
        _running = Task.WhenAll(
            Guard("connection", () => _connection.RunAsync(stop)),
            Guard("publisher", () => _outbox.RunAsync(_connection, stop)),
            Guard("status", () => _status.RunAsync(stop)));
        return Task.CompletedTask;
    }

    /// <summary>
    /// Cancels the MQTT requests still queued or running, publishes their final replies and <c>offline</c> (as far as
    /// <paramref name="cancellation"/> allows), then disconnects cleanly.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellation)
    {
        if (Volatile.Read(ref _started) == 0 || _stop.IsCancellationRequested) return;
        _handler.CancelAll(CancelReason.Shutdown);
        try
        {
            await _handler.WaitIdleAsync(cancellation).ConfigureAwait(false);
            if (_connection.IsConnected) await _outbox.FlushAsync(cancellation).ConfigureAwait(false);
            if (_connection.IsConnected)
            {
                await _status.PublishOfflineAsync(cancellation).ConfigureAwait(false);
                await _connection.Client.PublishAsync(Availability("offline"), cancellation).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or MQTTnet.Exceptions.MqttCommunicationException)
        {
            _log.LogWarning("mqtt: stopping before every reply was published ({Pending} left): {Message}", _outbox.Count, e.Message);
        }
        await _stop.CancelAsync().ConfigureAwait(false);
        await _connection.DisconnectAsync(cancellation).ConfigureAwait(false);
        await _running.ConfigureAwait(false);
        _log.LogInformation("mqtt: disconnected");
    }

    public async ValueTask DisposeAsync()
    {
        using (var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
            await StopAsync(bound.Token).ConfigureAwait(false);
        await _connection.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    /// <summary>Test seam: drops the connection as a crash would, so the broker publishes the Last Will.</summary>
    internal void Crash()
    {
        _stop.Cancel();
        _connection.Abort();
    }

    private MqttStatus Snapshot()
    {
        DeviceCondition condition;
        try
        {
            condition = _condition();
        }
        catch (Exception e)
        {
            _log.LogDebug("mqtt: the device condition failed: {Message}", e.Message);
            condition = DeviceCondition.Unknown;
        }
        return MqttStatus.From(_pipeline.Status(), condition);
    }

    private async Task OnConnectedAsync(MqttClientConnectResult result, CancellationToken cancellation)
    {
        var client = _connection.Client;
        var subscribe = new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(Topics.Prompt, Qos, retainHandling: MqttRetainHandling.DoNotSendOnSubscribe)
            .WithTopicFilter(Topics.Cancel, Qos, retainHandling: MqttRetainHandling.DoNotSendOnSubscribe);
        if (Topics.FleetSubscription is { } fleet)
        {
            subscribe.WithTopicFilter(fleet, Qos, retainHandling: MqttRetainHandling.DoNotSendOnSubscribe);
            subscribe.WithTopicFilter(MqttTopics.FleetCancel, Qos, retainHandling: MqttRetainHandling.DoNotSendOnSubscribe);
        }
        var subscribed = await client.SubscribeAsync(subscribe.Build(), cancellation).ConfigureAwait(false);
        foreach (var item in subscribed.Items)
            if (item.ResultCode > MqttClientSubscribeResultCode.GrantedQoS2)
                _log.LogError("mqtt: the broker refused the subscription to {Topic}: {Code}", item.TopicFilter.Topic, item.ResultCode);

        await client.PublishAsync(Availability("online"), cancellation).ConfigureAwait(false);
        if (_settings.HomeAssistantDiscovery)
        {
            string version = typeof(MqttTransport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";
            foreach (var (topic, payload) in HomeAssistantDiscovery.Configs(_settings, Topics, _pipeline.Status().Model, version))
                await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithRetainFlag()
                    .WithQualityOfServiceLevel(Qos).Build(), cancellation).ConfigureAwait(false);
        }
        await _status.PublishAsync(force: true, cancellation).ConfigureAwait(false);
    }

    private MqttApplicationMessage Availability(string state) => new MqttApplicationMessageBuilder()
        .WithTopic(Topics.Availability).WithPayload(state).WithRetainFlag().WithQualityOfServiceLevel(Qos).Build();

    private Task Guard(string name, Func<Task> loop) => Task.Run(async () =>
    {
        try
        {
            await loop().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            _log.LogCritical("mqtt: the {Name} loop stopped: {Type}: {Message}", name, e.GetType().Name, e.Message);
        }
    });
}
