using System.Diagnostics;
using EdgeLlm.Protocol;
using Microsoft.Extensions.Logging;

namespace EdgeLlm.Pipeline;

/// <summary>
/// The transport-neutral front of the daemon: transports parse lines (<see cref="WireParser"/>), map them
/// (<see cref="Mapper"/>), <see cref="Submit"/> them, and get the replies through their <see cref="IResponseSink"/>.
/// One model, a bounded FIFO queue (full: immediate <c>busy</c>), one generation at a time, per-request timeout,
/// cancellation, and a drain on shutdown (running and queued requests end <c>cancelled</c>, new ones get <c>busy</c>).
/// </summary>
public sealed class RequestPipeline
{
    private readonly PipelineOptions _options;
    private readonly IReadOnlyList<IAdmissionGuard> _guards;
    private readonly ILogger _log;
    private readonly RequestQueue _queue;
    private readonly long _startedAt = Stopwatch.GetTimestamp();
    private readonly Lock _lock = new();
    private IGenerationEngine? _engine;
    private GenerationWorker? _worker;
    private RequestMapper? _mapper;
    private bool _draining;
    private long _rejected;

    public RequestPipeline(PipelineOptions options, IEnumerable<IAdmissionGuard> guards, ILogger<RequestPipeline> log)
    {
        _options = options;
        _guards = [.. guards];
        _log = log;
        _queue = new RequestQueue(options.QueueLength);
    }

    public PipelineOptions Options => _options;

    /// <summary>Maps wire requests; available once <see cref="Start"/> ran.</summary>
    public RequestMapper Mapper => _mapper ?? throw new InvalidOperationException("the pipeline has not started");

    public bool IsStarted => Volatile.Read(ref _worker) is not null;

    /// <summary>Starts the generation worker on a loaded (and warmed-up) engine.</summary>
    public void Start(IGenerationEngine engine)
    {
        lock (_lock)
        {
            if (_worker is not null) throw new InvalidOperationException("the pipeline already started");
            _engine = engine;
            _mapper = new RequestMapper(engine, _options);
            var worker = new GenerationWorker(_queue, engine, _guards, CompleteUnstarted, _log);
            worker.Start();
            _worker = worker;
        }
    }

    /// <summary>
    /// Queues a mapped request. Always answers: a refused request (queue full, starting, shutting down) gets its
    /// <c>busy</c> error through its sink right away. Returns whether the request was queued.
    /// </summary>
    public bool Submit(GenerationRequest request)
    {
        // Armed before queueing, so the worker can never see a request whose timer is not set yet.
        request.StartTimeout(_options.RequestTimeout, OnCancelled);
        string? refusal;
        lock (_lock)
        {
            refusal = _draining ? "the daemon is shutting down"
                : _worker is null ? "the daemon is still starting"
                : _queue.TryEnqueue(request) switch
                {
                    RequestQueue.EnqueueResult.Accepted => null,
                    RequestQueue.EnqueueResult.Full => $"the queue is full ({_queue.Capacity} waiting); try again later",
                    _ => "the daemon is shutting down",
                };
        }
        if (refusal is not null)
        {
            Interlocked.Increment(ref _rejected);
            if (request.TryFinish()) request.Sink.OnError(request, ErrorCodes.Busy, refusal);
            request.Release();
            return false;
        }
        return true;
    }

    /// <summary>Stops taking requests: queued ones end <c>cancelled</c>, the running one is cancelled (ends at its next token).</summary>
    public void BeginShutdown()
    {
        List<GenerationRequest> queued;
        GenerationRequest? running;
        lock (_lock)
        {
            if (_draining) return;
            _draining = true;
            queued = _queue.Close();
            running = _worker?.Current;
        }
        _log.LogInformation("draining: cancelling {Queued} queued and {Running} running request(s)", queued.Count, running is null ? 0 : 1);
        foreach (var request in queued)
        {
            request.Cancel(CancelReason.Shutdown);
            CompleteUnstarted(request);
        }
        if (running is null) return;
        running.Cancel(CancelReason.Shutdown);
        _ = AnswerAfterGraceAsync(running);
    }

    /// <summary>
    /// How long the running request has to notice a shutdown by itself. A forward pass cannot be interrupted, and on a
    /// slow board one can outlast the transports' drain: its final is then sent for it, so that no client waits for an
    /// answer that can no longer come. The exactly-one-final rule holds: the worker's own final is dropped after this.
    /// </summary>
    public static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(1);

    private async Task AnswerAfterGraceAsync(GenerationRequest running)
    {
        await Task.Delay(ShutdownGrace).ConfigureAwait(false);
        if (!running.TryFinish()) return;
        // A client that left first was logged by its transport then; its socket is closed, so nothing more about it.
        if (running.Reportable)
            _log.LogInformation("request {Id}: cancelled by the shutdown while the model was busy; final sent without waiting for it", running.Id ?? "-");
        running.Sink.OnDone(running, RequestCompletion.CancelledUnstarted(running.PromptTokens.Length));
    }

    /// <summary>Cancels the answer being generated now (the kiosk's cancel button); false when idle.</summary>
    public bool CancelRunning()
    {
        var running = Volatile.Read(ref _worker)?.Current;
        running?.Cancel(CancelReason.Client);
        return running is not null;
    }

    /// <summary>Completes when the worker has stopped (after <see cref="BeginShutdown"/>), or at once if it never started.</summary>
    public Task WorkerStopped => Volatile.Read(ref _worker)?.Stopped ?? Task.CompletedTask;

    /// <summary>
    /// Healthy = the worker runs and is idle or made progress within <see cref="PipelineOptions.StallTimeout"/>.
    /// The systemd watchdog heartbeat is sent only while this holds.
    /// </summary>
    public bool IsHealthy(out string problem)
    {
        var worker = Volatile.Read(ref _worker);
        problem = worker is null ? "not started"
            : worker.Stopped.IsCompleted && !_draining ? "the generation worker stopped"
            : worker.SinceProgress > _options.StallTimeout ? $"no generation progress for {worker.SinceProgress.TotalSeconds:F0} s"
            : "";
        return problem.Length == 0;
    }

    public PipelineStatus Status()
    {
        var worker = Volatile.Read(ref _worker);
        var guards = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var g in _guards) guards[g.Name] = g.State;
        string template = "";
        try
        {
            template = _engine?.ResolveTemplate(_options.DefaultTemplate).Name ?? "";
        }
        catch (ArgumentException)
        {
        }
        return new PipelineStatus(
            _engine?.ModelName ?? "",
            template,
            _engine?.ContextLength ?? 0,
            _draining ? "draining" : worker is null ? "starting" : "ready",
            worker?.Current is not null,
            _queue.Count,
            _queue.Capacity,
            worker?.RequestsServed ?? 0,
            Interlocked.Read(ref _rejected),
            worker?.LastTokensPerSecond ?? 0,
            worker?.LastPromptTokensPerSecond ?? 0,
            Stopwatch.GetElapsedTime(_startedAt),
            guards)
        {
            PromptCache = _engine?.PromptCacheSlots ?? [],
        };
    }

    /// <summary>A request was cancelled (any reason): if it still waits in the queue, answer it now; otherwise the worker will.</summary>
    private void OnCancelled(GenerationRequest request)
    {
        if (_queue.TryRemove(request)) CompleteUnstarted(request);
    }

    /// <summary>The terminal reply of a request cancelled before it started: <c>timeout</c> error, or a <c>cancelled</c> final.</summary>
    private void CompleteUnstarted(GenerationRequest request)
    {
        if (!request.TryFinish()) return;
        if (request.CancelReason == CancelReason.Timeout)
            request.Sink.OnError(request, ErrorCodes.Timeout, $"the request waited longer than the {_options.RequestTimeout.TotalSeconds:0.###} s timeout in the queue");
        else
            request.Sink.OnDone(request, RequestCompletion.CancelledUnstarted(request.PromptTokens.Length));
        request.Release();
    }
}
