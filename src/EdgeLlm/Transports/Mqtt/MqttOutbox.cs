using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeLlm.Transports.Mqtt;

/// <summary>
/// The ordered outbound queue of replies. Sinks enqueue without blocking (from the generation thread); one publisher
/// task publishes the messages in order, one at a time, each acknowledged at the configured QoS before the next.
/// While the broker is away the messages wait and are published after the reconnect, still in order: a message whose
/// publish failed with the connection is published again (at-least-once, so a client may see that one twice).
/// </summary>
/// <remarks>
/// Bound: final replies (done/error) are always kept, at most one per request in the pipeline (queue length + 1) plus
/// errors of bad messages (which only arrive while connected). Streamed pieces are kept up to
/// <see cref="MqttSettings.MaxPendingMessages"/> in all; past that further pieces are dropped and logged, and the client
/// still gets the whole text in the final reply. A message the broker refuses for good (e.g. not authorised to publish
/// on that topic) is logged and dropped rather than blocking the queue.
/// </remarks>
public sealed class MqttOutbox
{
    private const int MaxAttemptsWhileConnected = 5;

    private readonly Channel<OutboundMessage> _channel = Channel.CreateUnbounded<OutboundMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly int _maxPending;
    private readonly MqttQualityOfServiceLevel _qos;
    private readonly ILogger _log;
    private int _count;
    private long _dropped;
    private long _published;

    public MqttOutbox(int maxPending, MqttQualityOfServiceLevel qos, ILogger log)
    {
        _maxPending = maxPending;
        _qos = qos;
        _log = log;
    }

    /// <summary>Messages waiting (including the one being published).</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Streamed pieces dropped because the outbox was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Messages the broker acknowledged.</summary>
    public long Published => Interlocked.Read(ref _published);

    /// <summary>Queues a message; never blocks. False when a streamed piece was dropped because the outbox is full.</summary>
    public bool Enqueue(OutboundMessage message)
    {
        if (!message.IsFinal && Count >= _maxPending)
        {
            if (Interlocked.Increment(ref _dropped) % 1000 == 1)
                _log.LogWarning("mqtt: {Count} replies are waiting for the broker; dropping streamed pieces (final replies still carry the whole text)", Count);
            return false;
        }
        Interlocked.Increment(ref _count);
        return _channel.Writer.TryWrite(message);
    }

    /// <summary>Publishes queued messages in order until <paramref name="stop"/>, waiting for the connection whenever it is down.</summary>
    public async Task RunAsync(MqttConnection connection, CancellationToken stop)
    {
        var reader = _channel.Reader;
        int attempts = 0;
        while (await reader.WaitToReadAsync(stop).ConfigureAwait(false))
        {
            if (!reader.TryPeek(out var message)) continue;
            await connection.WaitConnectedAsync(stop).ConfigureAwait(false);
            try
            {
                var result = await connection.Client.PublishAsync(Build(message), stop).ConfigureAwait(false);
                if (!result.IsSuccess)
                    _log.LogWarning("mqtt: the broker refused the reply on {Topic}: {Code} {Reason}; dropped", message.Topic, result.ReasonCode, result.ReasonString);
                else
                    Interlocked.Increment(ref _published);
                Dequeue(reader);
                attempts = 0;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception e) when (e is ArgumentException or MQTTnet.Exceptions.MqttProtocolViolationException)
            {
                _log.LogWarning("mqtt: cannot publish a reply on {Topic}: {Message}; dropped", message.Topic, e.Message);
                Dequeue(reader);
                attempts = 0;
            }
            catch (Exception e)
            {
                // The connection went away mid-publish (or timed out): keep the message at the head and try again once
                // connected; a connection that stays up but keeps failing does not get to block the queue forever.
                if (connection.IsConnected && ++attempts >= MaxAttemptsWhileConnected)
                {
                    _log.LogWarning("mqtt: publishing a reply on {Topic} failed {Attempts} times ({Type}: {Message}); dropped", message.Topic, attempts, e.GetType().Name, e.Message);
                    Dequeue(reader);
                    attempts = 0;
                }
                else if (connection.IsConnected)
                {
                    await Task.Delay(100 * attempts, stop).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>Waits until every queued message was published (or <paramref name="cancellation"/>); for a clean stop.</summary>
    public async Task FlushAsync(CancellationToken cancellation)
    {
        while (Count > 0 && !cancellation.IsCancellationRequested)
            await Task.Delay(20, CancellationToken.None).ConfigureAwait(false);
    }

    private void Dequeue(ChannelReader<OutboundMessage> reader)
    {
        if (reader.TryRead(out _)) Interlocked.Decrement(ref _count);
    }

    private MqttApplicationMessage Build(OutboundMessage m)
    {
        var builder = new MqttApplicationMessageBuilder()
            .WithTopic(m.Topic)
            .WithPayload(new System.Buffers.ReadOnlySequence<byte>(m.Payload))
            .WithQualityOfServiceLevel(_qos)
            .WithContentType("application/json")
            .WithPayloadFormatIndicator(MqttPayloadFormatIndicator.CharacterData);
        if (m.CorrelationData is { Length: > 0 }) builder.WithCorrelationData(m.CorrelationData);
        return builder.Build();
    }
}
