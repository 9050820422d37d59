namespace EdgeLlm.Transports.Mqtt;

/// <summary>Where the replies of one request go: the request's Response Topic (or <c>&lt;prefix&gt;/reply/&lt;id&gt;</c>)
/// with its Correlation Data echoed.</summary>
public sealed record ReplyRoute(string Topic, byte[]? CorrelationData)
{
    public OutboundMessage Message(byte[] line, bool isFinal) => OutboundMessage.FromLine(Topic, line, CorrelationData, isFinal);
}
