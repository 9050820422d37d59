namespace EdgeLlm.Transports.Mqtt;

/// <summary>One message waiting in the <see cref="MqttOutbox"/>: a reply piece, a final reply or an error.</summary>
/// <param name="Topic">The reply topic.</param>
/// <param name="Payload">UTF-8 JSON (the socket API's reply, without its newline).</param>
/// <param name="CorrelationData">The request's MQTT v5 Correlation Data, echoed (null when it had none).</param>
/// <param name="IsFinal">Final replies (done, error) are never dropped; streamed pieces may be when the outbox overflows.</param>
public sealed record OutboundMessage(string Topic, ReadOnlyMemory<byte> Payload, byte[]? CorrelationData, bool IsFinal)
{
    /// <summary>A reply from <see cref="Protocol.ProtocolJson"/>, whose trailing newline an MQTT payload does not need.</summary>
    public static OutboundMessage FromLine(string topic, byte[] line, byte[]? correlationData, bool isFinal) =>
        new(topic, line.AsMemory(0, line.Length > 0 && line[^1] == (byte)'\n' ? line.Length - 1 : line.Length), correlationData, isFinal);
}
