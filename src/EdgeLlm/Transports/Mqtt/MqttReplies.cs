using EdgeLlm.Pipeline;
using EdgeLlm.Protocol;

namespace EdgeLlm.Transports.Mqtt;

/// <summary>The socket API's replies, built from pipeline results: MQTT payloads are the very same JSON.</summary>
internal static class MqttReplies
{
    public static byte[] Token(string? id, string text) => ProtocolJson.Line(new TokenReply(id, text));

    public static byte[] Done(string? id, RequestCompletion c) => ProtocolJson.Line(PipelineReplies.Done(id, c));

    public static byte[] Error(string? id, string code, string message) => ProtocolJson.Error(id, code, message);

    public static byte[] Status(string? id, PipelineStatus s) => ProtocolJson.Line(PipelineReplies.Status(id, s));
}
