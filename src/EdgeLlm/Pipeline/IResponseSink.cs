namespace EdgeLlm.Pipeline;

/// <summary>
/// Where a transport receives the replies of the requests it submitted. Every accepted or rejected request gets
/// exactly one terminal call, <see cref="OnDone"/> or <see cref="OnError"/>, after any number of <see cref="OnToken"/>.
/// </summary>
/// <remarks>Called from the generation thread (and from timer or transport threads for queued requests):
/// implementations must be thread-safe and must not block; queue the bytes and return.</remarks>
public interface IResponseSink
{
    /// <summary>A piece of answer text of a streaming request.</summary>
    void OnToken(GenerationRequest request, string text);

    /// <summary>The request finished (including cancelled and timed-out generations).</summary>
    void OnDone(GenerationRequest request, RequestCompletion completion);

    /// <summary>The request failed or was refused; <paramref name="code"/> is one of <see cref="Protocol.ErrorCodes"/>.</summary>
    void OnError(GenerationRequest request, string code, string message);
}
