using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeLlm.Transports.Mqtt;

/// <summary>
/// Keeps the retained <see cref="MqttStatus"/> on <c>&lt;prefix&gt;/status</c> current: checked every second and when
/// nudged (a request came or went), published when it changed and at least every
/// <see cref="MqttSettings.StatusInterval"/>, and again after every reconnect. Latest wins: a status that could not be
/// published while the broker was away is not queued, the next one replaces it.
/// </summary>
internal sealed class MqttStatusPublisher
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    private readonly MqttSettings _settings;
    private readonly MqttTopics _topics;
    private readonly Func<MqttStatus> _snapshot;
    private readonly MqttConnection _connection;
    private readonly ILogger _log;
    private readonly SemaphoreSlim _nudge = new(0, 1);
    private readonly SemaphoreSlim _publishing = new(1, 1);
    private readonly TimeProvider _time = TimeProvider.System;
    private MqttStatus? _last;
    private long _lastAt;
    private bool _offline;
    private int _forced;

    public MqttStatusPublisher(MqttSettings settings, MqttTopics topics, Func<MqttStatus> snapshot, MqttConnection connection, ILogger log)
    {
        _settings = settings;
        _topics = topics;
        _snapshot = snapshot;
        _connection = connection;
        _log = log;
    }

    /// <summary>A clean stop: the retained status says <c>"state":"offline"</c>, and stays (no expiry) until the next start.</summary>
    public async Task PublishOfflineAsync(CancellationToken cancellation)
    {
        await _publishing.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            _offline = true;
            var offline = _snapshot() with { State = "offline", QueueDepth = 0 };
            await _connection.Client.PublishAsync(Message(offline, expires: false), cancellation).ConfigureAwait(false);
            Volatile.Write(ref _last, offline);
        }
        finally
        {
            _publishing.Release();
        }
    }

    private MqttApplicationMessage Message(MqttStatus status, bool expires)
    {
        var builder = new MqttApplicationMessageBuilder()
            .WithTopic(_topics.Status)
            .WithPayload(status.ToJson())
            .WithRetainFlag()
            .WithQualityOfServiceLevel((MqttQualityOfServiceLevel)_settings.Qos)
            .WithContentType("application/json");
        if (expires) builder.WithMessageExpiryInterval((uint)Math.Min(uint.MaxValue, _settings.StatusInterval.TotalSeconds * ExpiryIntervals));
        return builder.Build();
    }

    /// <summary>The last status the broker acknowledged.</summary>
    public MqttStatus? Last => Volatile.Read(ref _last);

    /// <summary>Asks for the status to be published now even if unchanged (<c>{"op":"status"}</c> without a reply route).</summary>
    public void Republish()
    {
        Volatile.Write(ref _forced, 1);
        Nudge();
    }

    /// <summary>Asks for a check now (never blocks).</summary>
    public void Nudge()
    {
        try
        {
            if (_nudge.CurrentCount == 0) _nudge.Release();
        }
        catch (SemaphoreFullException)
        {
        }
    }

    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            await _connection.WaitConnectedAsync(stop).ConfigureAwait(false);
            try
            {
                await PublishAsync(force: Interlocked.Exchange(ref _forced, 0) != 0, stop).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stop.IsCancellationRequested)
            {
                _log.LogDebug("mqtt: status not published: {Message}", e.Message);
            }
            await _nudge.WaitAsync(Poll, stop).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A live status expires from the broker after this many status intervals without a refresh, so that a daemon that
    /// died (power cut, crash: only the availability topic has a Last Will) does not leave "idle" behind for ever.
    /// </summary>
    private const int ExpiryIntervals = 3;

    /// <summary>Publishes the current status if it changed, the interval passed, or <paramref name="force"/>.</summary>
    public async Task PublishAsync(bool force, CancellationToken cancellation)
    {
        await _publishing.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            // After the offline status nothing live may overwrite it.
            if (_offline) return;
            var current = _snapshot();
            bool due = _time.GetElapsedTime(_lastAt) >= _settings.StatusInterval;
            if (!force && !due && !current.DiffersFrom(_last)) return;
            var message = Message(current, expires: true);
            var result = await _connection.Client.PublishAsync(message, cancellation).ConfigureAwait(false);
            if (!result.IsSuccess) _log.LogWarning("mqtt: the broker refused the status: {Code} {Reason}", result.ReasonCode, result.ReasonString);
            Volatile.Write(ref _last, current);
            _lastAt = _time.GetTimestamp();
        }
        finally
        {
            _publishing.Release();
        }
    }
}
