using Microsoft.AspNetCore.Http;

namespace EdgeLlm.Http;

/// <summary>Errors outside an API's own handlers (auth, unknown route), in the shape of the API the path belongs to.</summary>
internal static class HttpErrors
{
    public static Task WriteAsync(HttpContext context, int status, string message, string code) =>
        context.Request.Path.StartsWithSegments("/v1")
            ? OpenAi.OpenAiEndpoints.ErrorAsync(context, status, message, code)
            : Ollama.OllamaEndpoints.ErrorAsync(context, status, message);
}
