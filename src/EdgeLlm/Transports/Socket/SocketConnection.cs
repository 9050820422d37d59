using System.Diagnostics;
using System.Net.Sockets;
using EdgeLlm.Native;
using EdgeLlm.Pipeline;
using EdgeLlm.Protocol;
using Microsoft.Extensions.Logging;

namespace EdgeLlm.Transports.Socket;

/// <summary>
/// One client connection: reads request lines, submits them to the pipeline, and sends the replies of its own
/// requests (interleaved, each tagged with its id). Bad lines get an error reply and the connection stays up. When the
/// client vanishes (hang-up, or a failed write) its requests are cancelled.
/// </summary>
internal sealed class SocketConnection : IResponseSink
{
    /// <summary>Replies waiting for a slow reader beyond this cut the connection (a whole answer is a few KiB).</summary>
    private const long MaxPendingReplyBytes = 1 << 20;

    private readonly System.Net.Sockets.Socket _socket;
    private readonly RequestPipeline _pipeline;
    private readonly ILogger _log;
    private readonly LineReader _reader;
    private readonly ConnectionWriter _writer;
    private readonly CancellationTokenSource _stopReading = new();
    private readonly Dictionary<GenerationRequest, string?> _active = [];
    private readonly Lock _lock = new();
    private long _lastActivity = Stopwatch.GetTimestamp();

    /// <param name="statusOnly">The reserved connection beyond max_connections: it answers <c>{"op":"status"}</c> and cancels only.</param>
    public SocketConnection(System.Net.Sockets.Socket socket, RequestPipeline pipeline, int maxLineBytes, int number, ILogger log, bool statusOnly = false)
    {
        _socket = socket;
        _pipeline = pipeline;
        _log = log;
        Number = number;
        StatusOnly = statusOnly;
        var stream = new NetworkStream(socket, ownsSocket: false);
        _reader = new LineReader(stream, maxLineBytes);
        _writer = new ConnectionWriter(stream, MaxPendingReplyBytes, Vanished);
    }

    public int Number { get; }
    public bool StatusOnly { get; }

    /// <summary>Closes the connection if it has nothing in flight and sent nothing for <paramref name="idle"/>; true if it did.</summary>
    public bool CloseIfIdle(TimeSpan idle)
    {
        if (ActiveCount > 0 || Stopwatch.GetElapsedTime(Volatile.Read(ref _lastActivity)) < idle) return false;
        _log.LogDebug("connection {Number}: idle for {Seconds:F0} s with nothing in flight; closing", Number, idle.TotalSeconds);
        _stopReading.Cancel();
        return true;
    }

    private int ActiveCount
    {
        get { lock (_lock) return _active.Count; }
    }

    /// <summary>Serves the connection until the client leaves or <see cref="StopReading"/> is called, then flushes and closes.</summary>
    public async Task RunAsync()
    {
        try
        {
            while (true)
            {
                var (kind, line) = await _reader.ReadAsync(_stopReading.Token).ConfigureAwait(false);
                if (kind == LineReader.LineKind.EndOfStream) break;
                Volatile.Write(ref _lastActivity, Stopwatch.GetTimestamp());
                if (kind == LineReader.LineKind.Oversized)
                    _writer.Write(ProtocolJson.Error(null, ErrorCodes.BadRequest, $"the line is longer than the {_reader.MaxLineBytes}-byte limit"));
                else if (!IsBlank(line.Span))
                    Handle(line);
            }
            // End of input: a client that only shut down its sending side still gets its answers;
            // one that closed the connection completely (hang-up) gets its requests cancelled.
            while (ActiveCount > 0 && !_stopReading.IsCancellationRequested)
            {
                if (Libc.PeerHungUp(_socket.SafeHandle))
                {
                    Vanished("the client hung up");
                    break;
                }
                await Task.Delay(50, _stopReading.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            Vanished("the connection failed");
        }
        catch (Exception e)
        {
            _log.LogError("connection {Number}: {Type}: {Message}", Number, e.GetType().Name, e.Message);
            Vanished("internal error");
        }
        finally
        {
            // Replies already queued (e.g. the cancelled finals of a shutdown) are flushed before closing.
            _writer.Complete();
            await _writer.Completion.WaitAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            _socket.Dispose();
            _reader.Release();
            _log.LogDebug("connection {Number} closed", Number);
        }
    }

    /// <summary>Shutdown: stop reading new lines; replies still queued are flushed by <see cref="RunAsync"/>.</summary>
    public void StopReading() => _stopReading.Cancel();

    private void Handle(ReadOnlyMemory<byte> line)
    {
        switch (WireParser.Parse(line))
        {
            case WireInvalid bad:
                _writer.Write(ProtocolJson.Error(bad.Id, bad.Code, bad.Message));
                break;
            case WireStatus status:
                _writer.Write(ProtocolJson.Line(PipelineReplies.Status(status.Id, _pipeline.Status())));
                break;
            case WireCancel cancel:
                GenerationRequest? target;
                lock (_lock) target = _active.FirstOrDefault(a => a.Value == cancel.TargetId).Key;
                if (target is not null) target.Cancel(CancelReason.Client);
                else _writer.Write(ProtocolJson.Error(cancel.ReplyId, ErrorCodes.BadRequest, $"cancel: no request '{cancel.TargetId}' is running or queued on this connection"));
                break;
            case WireRequest wire when StatusOnly:
                _writer.Write(ProtocolJson.Error(wire.Id, ErrorCodes.Busy, "too many connections: this one is the reserved slot for status; try again later"));
                break;
            case WireRequest wire:
                Submit(wire);
                break;
        }
    }

    /// <summary>An empty or whitespace-only line is skipped like a blank one (a keep-alive newline).</summary>
    private static bool IsBlank(ReadOnlySpan<byte> line) => line.IndexOfAnyExcept(" \t\r"u8) < 0;

    private void Submit(WireRequest wire)
    {
        GenerationRequest request;
        try
        {
            lock (_lock)
                if (wire.Id is not null && _active.ContainsValue(wire.Id))
                    throw new RequestException(ErrorCodes.BadRequest, $"id '{wire.Id}' is already in use by a request on this connection");
            request = _pipeline.Mapper.Map(wire, this);
        }
        catch (RequestException e)
        {
            _writer.Write(ProtocolJson.Error(wire.Id, e.Code, e.Message));
            return;
        }
        lock (_lock) _active[request] = request.Id;
        _pipeline.Submit(request);
    }

    private void Vanished(string reason)
    {
        List<GenerationRequest> requests;
        lock (_lock) requests = [.. _active.Keys];
        if (requests.Count > 0)
            _log.LogInformation("connection {Number}: {Reason}; cancelling {Count} request(s)", Number, reason, requests.Count);
        foreach (var r in requests) r.Cancel(CancelReason.ClientGone);
        _stopReading.Cancel();
    }

    private void Forget(GenerationRequest request)
    {
        lock (_lock) _active.Remove(request);
        // The idle clock starts when the last answer is complete.
        Volatile.Write(ref _lastActivity, Stopwatch.GetTimestamp());
    }

    void IResponseSink.OnToken(GenerationRequest request, string text) => _writer.Write(ProtocolJson.Line(new TokenReply(request.Id, text)));

    void IResponseSink.OnDone(GenerationRequest request, RequestCompletion c)
    {
        Forget(request);
        _writer.Write(ProtocolJson.Line(PipelineReplies.Done(request.Id, c)));
    }

    void IResponseSink.OnError(GenerationRequest request, string code, string message)
    {
        Forget(request);
        _writer.Write(ProtocolJson.Error(request.Id, code, message));
    }
}
