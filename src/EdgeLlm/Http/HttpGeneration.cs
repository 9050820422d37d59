using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using EdgeLlm.Http.Tools;
using EdgeLlm.Pipeline;

namespace EdgeLlm.Http;

/// <summary>
/// One HTTP request's generation in the shared pipeline: its <see cref="IResponseSink"/> queues the pipeline's replies
/// (never blocking the generation thread) and <see cref="ReadAsync"/> turns them into <see cref="OutputEvent"/>s, with
/// the thought split off and tool calls kept out of the answer text. A client that goes away, or that reads so slowly
/// that more than <see cref="MaxPendingChars"/> wait for it, cancels the request.
/// </summary>
internal sealed class HttpGeneration : IResponseSink
{
    public const int MaxPendingChars = 4 << 20;

    private readonly Channel<object> _replies = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly IReadOnlyCollection<string> _toolNames;
    private readonly ThinkSplitter? _think;
    private readonly ToolCallStreamFilter? _tools;
    private long _pendingChars;

    /// <param name="toolNames">Offered functions; empty = no tool-call parsing.</param>
    /// <param name="splitThinking">The answer may start with a <c>&lt;think&gt;</c> block to report apart.</param>
    public HttpGeneration(IReadOnlyCollection<string> toolNames, bool splitThinking)
    {
        _toolNames = toolNames;
        _think = splitThinking ? new ThinkSplitter() : null;
        _tools = toolNames.Count > 0 ? new ToolCallStreamFilter() : null;
    }

    public GenerationRequest? Request { get; set; }

    private sealed record Done(RequestCompletion Completion);
    private sealed record Error(string Code, string Message);

    void IResponseSink.OnToken(GenerationRequest request, string text)
    {
        if (Interlocked.Add(ref _pendingChars, text.Length) > MaxPendingChars) request.Cancel(CancelReason.ClientGone);
        _replies.Writer.TryWrite(text);
    }

    void IResponseSink.OnDone(GenerationRequest request, RequestCompletion completion)
    {
        _replies.Writer.TryWrite(new Done(completion));
        _replies.Writer.TryComplete();
    }

    void IResponseSink.OnError(GenerationRequest request, string code, string message)
    {
        _replies.Writer.TryWrite(new Error(code, message));
        _replies.Writer.TryComplete();
    }

    /// <summary>The events of the request until its end; <paramref name="aborted"/> (the client left) cancels it.</summary>
    public async IAsyncEnumerable<OutputEvent> ReadAsync([EnumeratorCancellation] CancellationToken aborted)
    {
        using var cancelOnAbort = aborted.Register(() => Request?.Cancel(CancelReason.ClientGone));
        var content = new StringBuilder();
        var thinking = new StringBuilder();
        // Reading goes on after an abort: the pipeline always ends the request with a final reply.
        await foreach (object reply in _replies.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            switch (reply)
            {
                case string piece:
                    Interlocked.Add(ref _pendingChars, -piece.Length);
                    foreach (var e in Split(piece, content, thinking)) yield return e;
                    break;
                case Error error:
                    yield return new FailedEvent(error.Code, error.Message);
                    yield break;
                case Done done:
                    var (ending, calls) = Finish(content, thinking);
                    foreach (var e in ending) yield return e;
                    if (calls.Count > 0) yield return new ToolCallsEvent(calls);
                    yield return new FinishedEvent(done.Completion, content.ToString(), thinking.ToString(), calls);
                    yield break;
            }
        }
    }

    private List<OutputEvent> Split(string piece, StringBuilder content, StringBuilder thinking)
    {
        var events = new List<OutputEvent>(2);
        var (thought, answer) = _think?.Push(piece) ?? ("", piece);
        Emit(thought, answer, content, thinking, events);
        return events;
    }

    private (List<OutputEvent> Events, List<ToolCall> Calls) Finish(StringBuilder content, StringBuilder thinking)
    {
        var events = new List<OutputEvent>(2);
        var (thought, answer) = _think?.Finish() ?? ("", "");
        Emit(thought, answer, content, thinking, events);
        List<ToolCall> calls = [];
        if (_tools is null) return (events, calls);
        var (pending, captured) = _tools.Finish();
        string tail = pending;
        if (captured is not null)
        {
            var (rest, found) = ToolCallParser.Parse(captured, _toolNames);
            calls = found;
            tail += rest;
        }
        if (tail.Length > 0)
        {
            content.Append(tail);
            events.Add(new TextEvent(tail, false));
        }
        return (events, calls);
    }

    private void Emit(string thought, string answer, StringBuilder content, StringBuilder thinking, List<OutputEvent> events)
    {
        if (thought.Length > 0)
        {
            thinking.Append(thought);
            events.Add(new TextEvent(thought, true));
        }
        if (answer.Length > 0 && _tools is not null) answer = _tools.Push(answer);
        if (answer.Length > 0)
        {
            content.Append(answer);
            events.Add(new TextEvent(answer, false));
        }
    }
}
