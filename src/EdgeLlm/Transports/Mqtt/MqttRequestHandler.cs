using System.Buffers;
using System.Text.Json;
using EdgeLlm.Pipeline;
using EdgeLlm.Protocol;
using Microsoft.Extensions.Logging;
using MQTTnet;

namespace EdgeLlm.Transports.Mqtt;

/// <summary>
/// Handles incoming messages: prompts (device and fleet topics) go through <see cref="WireParser"/> and the
/// <see cref="RequestMapper"/> into the pipeline with an <see cref="MqttReplySink"/>; cancels cancel by id. Never throws:
/// oversized, non-UTF-8, malformed or invalid payloads get an error reply on the reply topic (the Response Topic, else
/// <c>&lt;prefix&gt;/reply/&lt;id&gt;</c>, else <c>&lt;prefix&gt;/error</c>) and the next message is served as usual.
/// Duplicates (same id, Response Topic, Correlation Data and payload) are ignored while remembered.
/// </summary>
internal sealed class MqttRequestHandler
{
    private readonly MqttSettings _settings;
    private readonly MqttTopics _topics;
    private readonly RequestPipeline _pipeline;
    private readonly MqttOutbox _outbox;
    private readonly DuplicateFilter _duplicates;
    private readonly ILogger _log;
    private readonly Action _changed;
    private readonly Action _republishStatus;
    private readonly Dictionary<string, List<GenerationRequest>> _inFlight = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private int _count;
    private TaskCompletionSource _idle = Completed();
    private long _duplicatesIgnored;

    public MqttRequestHandler(MqttSettings settings, MqttTopics topics, RequestPipeline pipeline, MqttOutbox outbox,
        DuplicateFilter duplicates, ILogger log, Action changed, Action? republishStatus = null)
    {
        _republishStatus = republishStatus ?? changed;
        _settings = settings;
        _topics = topics;
        _pipeline = pipeline;
        _outbox = outbox;
        _duplicates = duplicates;
        _log = log;
        _changed = changed;
    }

    /// <summary>MQTT requests queued or running.</summary>
    public int InFlight
    {
        get { lock (_lock) return _count; }
    }

    public long DuplicatesIgnored => Interlocked.Read(ref _duplicatesIgnored);

    public Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        try
        {
            Handle(e.ApplicationMessage);
        }
        catch (Exception x)
        {
            // Last line of defence: the message is acknowledged and the next one served.
            _log.LogError("mqtt: handling a message on {Topic} failed: {Type}: {Message}", e.ApplicationMessage.Topic, x.GetType().Name, x.Message);
        }
        return Task.CompletedTask;
    }

    internal void Handle(MqttApplicationMessage m)
    {
        var kind = _topics.Classify(m.Topic);
        if (kind == InboundKind.Unknown)
        {
            _log.LogDebug("mqtt: ignoring a message on {Topic}", m.Topic);
            return;
        }
        string? responseTopic = m.ResponseTopic;
        byte[]? correlation = m.CorrelationData;
        long size = m.Payload.Length;
        if (responseTopic is not null && _topics.ResponseTopicProblem(responseTopic) is { } topicProblem)
        {
            // Answered where a request without a Response Topic would be, never on the refused topic.
            string? id = size <= _settings.MaxPayloadBytes ? IdRecovery.TryRead(m.Payload.ToArray()) : null;
            _log.LogWarning("mqtt: refusing the Response Topic '{Topic}' of a message on {On}: {Problem}", responseTopic, m.Topic, topicProblem);
            Reply(Route(id, null, correlation), id, ErrorCodes.BadRequest, $"the Response Topic '{responseTopic}' is refused: {topicProblem}");
            return;
        }
        if (size > _settings.MaxPayloadBytes)
        {
            Reply(Route(null, responseTopic, correlation), null, ErrorCodes.BadRequest,
                $"the payload is {size} bytes; mqtt_max_payload allows {_settings.MaxPayloadBytes}");
            return;
        }
        byte[] payload = m.Payload.ToArray();
        if (kind is InboundKind.Cancel or InboundKind.FleetCancel)
            HandleCancelTopic(payload, responseTopic, correlation, fleet: kind == InboundKind.FleetCancel);
        else
            HandlePrompt(payload, m.Payload, responseTopic, correlation);
    }

    /// <summary>Cancels every MQTT request still queued or running (shutdown).</summary>
    public void CancelAll(CancelReason reason)
    {
        List<GenerationRequest> all;
        lock (_lock) all = [.. _inFlight.Values.SelectMany(l => l)];
        foreach (var r in all) r.Cancel(reason);
    }

    /// <summary>Completes when no MQTT request is queued or running.</summary>
    public Task WaitIdleAsync(CancellationToken cancellation)
    {
        Task t;
        lock (_lock) t = _idle.Task;
        return t.WaitAsync(cancellation);
    }

    private void HandlePrompt(byte[] payload, ReadOnlySequence<byte> raw, string? responseTopic, byte[]? correlation)
    {
        switch (WireParser.Parse(payload))
        {
            case WireInvalid invalid:
                _log.LogDebug("mqtt: bad request {Id}: {Message}", invalid.Id ?? "-", invalid.Message);
                Reply(Route(invalid.Id, responseTopic, correlation), invalid.Id, invalid.Code, invalid.Message);
                break;
            case WireCancel cancel:
                Cancel(cancel.TargetId, responseTopic, correlation, fleet: false, replyId: cancel.ReplyId);
                break;
            case WireStatus status:
                // Without an id or a Response Topic the answer is the retained <prefix>/status, published now.
                if (Route(status.Id, responseTopic, correlation) is var route && route.Topic == _topics.Error)
                    _republishStatus();
                else
                    _outbox.Enqueue(route.Message(MqttReplies.Status(status.Id, _pipeline.Status()), isFinal: true));
                break;
            case WireRequest request:
                Submit(request, raw, responseTopic, correlation);
                break;
        }
    }

    private void Submit(WireRequest wire, ReadOnlySequence<byte> raw, string? responseTopic, byte[]? correlation)
    {
        var route = Route(wire.Id, responseTopic, correlation);
        if (route.Topic == _topics.Error)
        {
            Reply(route, wire.Id, ErrorCodes.BadRequest, NoRouteMessage(wire.Id));
            return;
        }
        string key = DuplicateFilter.Key(wire.Id, responseTopic, correlation, raw);
        if (!_duplicates.TryAdd(key))
        {
            Interlocked.Increment(ref _duplicatesIgnored);
            _log.LogInformation("mqtt: request {Id} was delivered again; it already ran (or runs), so the copy is ignored", wire.Id ?? "-");
            return;
        }

        var sink = new MqttReplySink(route, _outbox, (request, failed) => Finished(request, failed, key));
        GenerationRequest mapped;
        try
        {
            mapped = _pipeline.Mapper.Map(wire, sink);
        }
        catch (RequestException e)
        {
            _duplicates.Remove(key);
            Reply(route, wire.Id, e.Code, e.Message);
            return;
        }
        catch (InvalidOperationException)
        {
            _duplicates.Remove(key);
            Reply(route, wire.Id, ErrorCodes.Busy, "the daemon is still starting");
            return;
        }
        catch (Exception e)
        {
            _duplicates.Remove(key);
            _log.LogError("mqtt: request {Id} could not be prepared: {Type}: {Message}", wire.Id ?? "-", e.GetType().Name, e.Message);
            Reply(route, wire.Id, ErrorCodes.Internal, "the request could not be prepared; the daemon logged the details");
            return;
        }

        // Tracked before submitting: a refused request is answered (and untracked) inside Submit.
        lock (_lock)
        {
            string id = mapped.Id ?? "";
            if (!_inFlight.TryGetValue(id, out var list)) _inFlight[id] = list = [];
            list.Add(mapped);
            if (_count++ == 0) _idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        _pipeline.Submit(mapped);
        _changed();
    }

    private void Finished(GenerationRequest request, bool failed, string key)
    {
        // A refused or failed request may be sent again by its client: that retry must run.
        if (failed) _duplicates.Remove(key);
        TaskCompletionSource? idle = null;
        lock (_lock)
        {
            string id = request.Id ?? "";
            if (_inFlight.TryGetValue(id, out var list) && list.Remove(request))
            {
                if (list.Count == 0) _inFlight.Remove(id);
                if (--_count == 0) idle = _idle;
            }
        }
        idle?.TrySetResult();
        _changed();
    }

    private void HandleCancelTopic(byte[] payload, string? responseTopic, byte[]? correlation, bool fleet)
    {
        string? target = null;
        string? problem = null;
        try
        {
            using var doc = JsonDocument.Parse(payload);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) problem = "expected a JSON object {\"id\":\"...\"}";
            else
            {
                foreach (var p in doc.RootElement.EnumerateObject())
                {
                    if (p.Name is not ("id" or "cancel")) { problem = $"{p.Name} is not allowed in a cancel message"; break; }
                    if (p.Value.ValueKind != JsonValueKind.String) { problem = $"{p.Name} must be a string (the id to cancel)"; break; }
                    target ??= p.Value.GetString();
                }
                if (problem is null && target is null) problem = "id is required (the id of the request to cancel)";
            }
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
        {
            problem = !System.Text.Unicode.Utf8.IsValid(payload) ? "the payload is not valid UTF-8"
                : e is JsonException json ? $"invalid JSON: {ErrorText.Json(json)}"
                : $"invalid value: {ErrorText.Plain(e)}";
        }
        if (problem is not null)
        {
            string? id = target ?? IdRecovery.TryRead(payload);
            if (!fleet) Reply(Route(id, responseTopic, correlation), id, ErrorCodes.BadRequest, problem);
            return;
        }
        Cancel(target!, responseTopic, correlation, fleet);
    }

    private void Cancel(string id, string? responseTopic, byte[]? correlation, bool fleet, string? replyId = null)
    {
        List<GenerationRequest> targets;
        lock (_lock) targets = _inFlight.TryGetValue(id, out var list) ? [.. list] : [];
        foreach (var r in targets) r.Cancel(CancelReason.Client);
        _log.LogInformation("mqtt: cancel {Id}: {Count} request(s)", id, targets.Count);
        // The cancelled request answers itself (finish_reason "cancelled"); an unknown id gets the socket's answer, a
        // bad_request tagged with the id, on the reply route (not for fleet cancels: the other devices do not know it either).
        if (targets.Count == 0 && !fleet)
        {
            replyId ??= id;
            Reply(Route(replyId, responseTopic, correlation), replyId, ErrorCodes.BadRequest, $"cancel: no request '{id}' is running or queued");
        }
    }

    private ReplyRoute Route(string? id, string? responseTopic, byte[]? correlation) =>
        responseTopic is not null ? new ReplyRoute(responseTopic, correlation)
        : _topics.ReplyFor(id) is { } topic ? new ReplyRoute(topic, correlation)
        : new ReplyRoute(_topics.Error, correlation);

    private string NoRouteMessage(string? id) => id is null
        ? $"give an id (replies go to {_topics.Prefix}/reply/<id>) or an MQTT v5 Response Topic"
        : $"id '{id}' cannot be a topic level (no '+', '#'); give another id or an MQTT v5 Response Topic";

    private void Reply(ReplyRoute route, string? id, string code, string message) =>
        _outbox.Enqueue(route.Message(MqttReplies.Error(id, code, message), isFinal: true));

    private static TaskCompletionSource Completed()
    {
        var t = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        t.SetResult();
        return t;
    }
}
