using System.Diagnostics;
using EdgeLlm.Core.Generation;
using EdgeLlm.Protocol;
using Microsoft.Extensions.Logging;

namespace EdgeLlm.Pipeline;

/// <summary>
/// The single generation thread: takes requests from the queue in order, asks the admission guards, runs the
/// engine and sends the replies. Never dies on a failed request: the error is logged and replied as <c>internal</c>.
/// </summary>
public sealed class GenerationWorker
{
    private readonly RequestQueue _queue;
    private readonly IGenerationEngine _engine;
    private readonly IReadOnlyList<IAdmissionGuard> _guards;
    private readonly Action<GenerationRequest> _completeUnstarted;
    private readonly ILogger _log;
    private readonly Thread _thread;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private GenerationRequest? _current;
    private long _lastProgress = Stopwatch.GetTimestamp();
    private long _served;
    private double _lastTps, _lastPromptTps;

    public GenerationWorker(RequestQueue queue, IGenerationEngine engine, IReadOnlyList<IAdmissionGuard> guards,
        Action<GenerationRequest> completeUnstarted, ILogger log)
    {
        _queue = queue;
        _engine = engine;
        _guards = guards;
        _completeUnstarted = completeUnstarted;
        _log = log;
        _thread = new Thread(Loop) { Name = "edgellm-generation", IsBackground = true };
    }

    /// <summary>Completes when the thread has left its loop (after the queue was closed).</summary>
    public Task Stopped => _stopped.Task;

    public GenerationRequest? Current => Volatile.Read(ref _current);
    public long RequestsServed => Interlocked.Read(ref _served);
    public double LastTokensPerSecond => Volatile.Read(ref _lastTps);
    public double LastPromptTokensPerSecond => Volatile.Read(ref _lastPromptTps);

    /// <summary>Time since the running request last made progress (zero when idle).</summary>
    public TimeSpan SinceProgress => Current is null ? TimeSpan.Zero : Stopwatch.GetElapsedTime(Volatile.Read(ref _lastProgress));

    public void Start() => _thread.Start();

    private void Loop()
    {
        try
        {
            while (_queue.Take() is { } request)
            {
                if (request.IsFinished) continue;
                if (request.Cancellation.IsCancellationRequested)
                {
                    _completeUnstarted(request);
                    continue;
                }
                if (Refusal() is { } refusal)
                {
                    if (request.TryFinish()) request.Sink.OnError(request, refusal.Code, refusal.Message);
                    request.Release();
                    continue;
                }
                Run(request);
            }
        }
        catch (Exception e)
        {
            _log.LogCritical("generation worker stopped: {Type}: {Message}", e.GetType().Name, e.Message);
        }
        finally
        {
            _stopped.TrySetResult();
        }
    }

    private AdmissionRefusal? Refusal()
    {
        foreach (var guard in _guards)
        {
            try
            {
                if (guard.Check() is { } refusal) return refusal;
            }
            catch (Exception e)
            {
                _log.LogError("guard {Guard} failed: {Type}: {Message}", guard.Name, e.GetType().Name, e.Message);
            }
        }
        return null;
    }

    private void Run(GenerationRequest request)
    {
        Volatile.Write(ref _lastProgress, Stopwatch.GetTimestamp());
        Volatile.Write(ref _current, request);
        try
        {
            var result = _engine.Generate(request.PromptTokens, request.Settings, piece =>
            {
                Volatile.Write(ref _lastProgress, Stopwatch.GetTimestamp());
                // After a final was sent for it (shutdown grace), nothing more goes out for this request.
                if (request.Stream && !request.IsFinished) request.Sink.OnToken(request, piece);
            }, request.Cancellation);

            string finish = result.FinishReason == FinishReason.Cancelled && request.CancelReason == CancelReason.Timeout
                ? RequestCompletion.Timeout
                : result.FinishReason.ToWireName();
            Interlocked.Increment(ref _served);
            if (result.GeneratedTokens > 0)
            {
                Volatile.Write(ref _lastTps, result.TokensPerSecond);
                if (result.PromptTokensEvaluated > 0) Volatile.Write(ref _lastPromptTps, result.PromptTokensPerSecond);
            }
            // Only the request's own final is logged: after a shutdown answered it, or once its client left, nothing more is.
            if (request.TryFinish())
            {
                if (request.Reportable)
                    _log.LogInformation("request {Id}: {Finish}, {Prompt} prompt tokens ({Reused} cached{Source}) in {PromptMs:F0} ms, first token at {TtftMs:F0} ms, {Tokens} tokens at {Tps:F1} tok/s",
                        request.Id ?? "-", finish, result.PromptTokens, result.ReusedPromptTokens, result.CacheSource is { } source ? ", from " + source : "",
                        result.PromptTime.TotalMilliseconds, (result.TimeToFirstToken ?? result.PromptTime).TotalMilliseconds, result.GeneratedTokens, result.TokensPerSecond);
                request.Sink.OnDone(request, RequestCompletion.From(result, finish));
            }
        }
        catch (PromptTooLongException e)
        {
            if (request.TryFinish()) request.Sink.OnError(request, ErrorCodes.TooLong, e.Message);
        }
        catch (Core.Sampling.Grammar.GrammarException e)
        {
            // The request's grammar cannot go on with this vocabulary (or a lazy trigger did not fit it): the client's to fix.
            if (request.TryFinish())
            {
                if (request.Reportable) _log.LogInformation("request {Id}: grammar stopped the generation: {Message}", request.Id ?? "-", e.Message);
                request.Sink.OnError(request, ErrorCodes.BadRequest, $"grammar: {e.Message}");
            }
        }
        catch (Exception e)
        {
            if (request.TryFinish())
            {
                if (request.Reportable) _log.LogError("request {Id} failed: {Type}: {Message}", request.Id ?? "-", e.GetType().Name, e.Message);
                else _log.LogError("generation failed: {Type}: {Message}", e.GetType().Name, e.Message);
                request.Sink.OnError(request, ErrorCodes.Internal, "generation failed; the daemon logged the details");
            }
            else
            {
                // A fault of the daemon, still worth knowing, but no longer a report about a request that was answered.
                _log.LogError("generation failed: {Type}: {Message}", e.GetType().Name, e.Message);
            }
        }
        finally
        {
            Volatile.Write(ref _current, null);
            request.Release();
        }
    }
}
