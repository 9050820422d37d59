using EdgeLlm.Pipeline;

namespace EdgeLlm.Transports.Mqtt;

/// <summary>
/// The pipeline's sink for one MQTT request: turns each token, final and error into a message on the request's
/// <see cref="ReplyRoute"/> and queues it in the <see cref="MqttOutbox"/>. Never blocks the generation thread.
/// </summary>
internal sealed class MqttReplySink(ReplyRoute route, MqttOutbox outbox, Action<GenerationRequest, bool> onFinished) : IResponseSink
{
    public ReplyRoute Route => route;

    public void OnToken(GenerationRequest request, string text) => outbox.Enqueue(route.Message(MqttReplies.Token(request.Id, text), isFinal: false));

    public void OnDone(GenerationRequest request, RequestCompletion completion)
    {
        outbox.Enqueue(route.Message(MqttReplies.Done(request.Id, completion), isFinal: true));
        onFinished(request, false);
    }

    public void OnError(GenerationRequest request, string code, string message)
    {
        outbox.Enqueue(route.Message(MqttReplies.Error(request.Id, code, message), isFinal: true));
        onFinished(request, true);
    }
}
