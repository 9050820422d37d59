using EdgeLlm.Core.Generation;

namespace EdgeLlm.Pipeline;

/// <summary>
/// One accepted request on its way through the pipeline: the encoded prompt, the settings, where the replies go,
/// and its cancellation (by the client, a vanished client, the timeout or shutdown: the first reason wins).
/// </summary>
public sealed class GenerationRequest
{
    private readonly CancellationTokenSource _cancellation = new();
    private Timer? _timeout;
    private readonly CancellationToken _token;
    private int _reason;
    private int _finished;

    public GenerationRequest(string? id, int[] promptTokens, GenerationSettings settings, bool stream, string templateName, IResponseSink sink)
    {
        Id = id;
        PromptTokens = promptTokens;
        Settings = settings;
        Stream = stream;
        TemplateName = templateName;
        Sink = sink;
        _token = _cancellation.Token;
    }

    /// <summary>The client's id, echoed in every reply (may be null).</summary>
    public string? Id { get; }
    public int[] PromptTokens { get; }
    public GenerationSettings Settings { get; }
    public bool Stream { get; }
    public string TemplateName { get; }
    public IResponseSink Sink { get; }

    public CancellationToken Cancellation => _token;
    public CancelReason CancelReason => (CancelReason)Volatile.Read(ref _reason);
    public bool IsFinished => Volatile.Read(ref _finished) != 0;

    /// <summary>Cancels the request (no-op once cancelled or finished); a queued request is answered at once, a running one at the next token.</summary>
    public void Cancel(CancelReason reason)
    {
        if (reason == CancelReason.None || Interlocked.CompareExchange(ref _reason, (int)reason, 0) != 0) return;
        try
        {
            _cancellation.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Finished meanwhile.
        }
    }

    /// <summary>Arms the timeout: when it fires the request is cancelled with <see cref="CancelReason.Timeout"/>.</summary>
    /// <remarks>
    /// A timer that calls <see cref="Cancel"/>, not CancelSource.CancelAfter: the reason must be recorded before the token
    /// fires, or the generation thread can see the cancellation first and report "cancelled" instead of "timeout".
    /// </remarks>
    internal void StartTimeout(TimeSpan timeout, Action<GenerationRequest> onCancelled)
    {
        _token.Register(state => onCancelled((GenerationRequest)state!), this);
        if (timeout > TimeSpan.Zero)
            _timeout = new Timer(static state => ((GenerationRequest)state!).Cancel(CancelReason.Timeout), this, timeout, Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// Whether the log may still report this request: false once its client went away (the transport logged that when it
    /// happened, and the socket is closed). Checked after <see cref="TryFinish"/>, so a final sent already is not reported twice.
    /// </summary>
    internal bool Reportable => CancelReason != CancelReason.ClientGone;

    /// <summary>Claims the single terminal reply: true for the first caller only.</summary>
    internal bool TryFinish() => Interlocked.Exchange(ref _finished, 1) == 0;

    /// <summary>Releases the timer after the terminal reply.</summary>
    internal void Release()
    {
        _timeout?.Dispose();
        _cancellation.Dispose();
    }
}
