using Microsoft.AspNetCore.Http;

namespace EdgeLlm.Http;

/// <summary>
/// A response written piece by piece (NDJSON or server-sent events), each piece flushed at once so that tokens reach
/// the client as they are made. The status and headers go out with the first piece. A write that fails (the client
/// left) marks the response broken and calls <paramref name="onBroken"/>; later writes are dropped.
/// </summary>
internal sealed class StreamingResponse(HttpContext context, string contentType, Action onBroken)
{
    public bool Started { get; private set; }
    public bool Broken { get; private set; }

    public async Task WriteAsync(byte[] bytes)
    {
        if (Broken) return;
        var response = context.Response;
        try
        {
            if (!Started)
            {
                Started = true;
                response.StatusCode = StatusCodes.Status200OK;
                response.ContentType = contentType;
                response.Headers.CacheControl = "no-cache";
            }
            await response.Body.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
            await response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            Broken = true;
            onBroken();
        }
    }
}
