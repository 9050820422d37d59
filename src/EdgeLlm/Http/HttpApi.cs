using System.Diagnostics;
using System.Text.Json.Serialization.Metadata;
using EdgeLlm.Pipeline;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace EdgeLlm.Http;

/// <summary>What the endpoints of both APIs share: settings, the pipeline, the model's identity and the log.</summary>
internal sealed class HttpApi(HttpSettings settings, RequestPipeline pipeline, ILogger log)
{
    private readonly HashSet<int> _clampedContexts = [];

    public HttpSettings Settings => settings;
    public RequestPipeline Pipeline => pipeline;
    public HttpSubmitter Submitter { get; } = new(pipeline, log);
    public ModelCatalog Model { get; } = new(settings);
    public ILogger Log => log;

    /// <summary>Ollama's version we answer with: recent enough that clients enable tools, thinking and structured output.</summary>
    public const string OllamaVersion = "0.12.0";

    public static async Task WriteJsonAsync<T>(HttpContext context, int status, T value, JsonTypeInfo<T> type)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        byte[] body = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(value, type);
        context.Response.ContentLength = body.Length;
        if (!HttpMethods.IsHead(context.Request.Method)) await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>A larger context than the loaded one cannot be had: the request runs in the loaded one; said once per value.</summary>
    public void NoteContextRequest(int? requested)
    {
        if (requested is not int n || n <= pipeline.Mapper.ContextLength) return;
        lock (_clampedContexts)
            if (!_clampedContexts.Add(n)) return;
        log.LogInformation("num_ctx {Requested} is larger than the loaded context; using {Context} (context_size)", n, pipeline.Mapper.ContextLength);
    }

    /// <summary>Nanoseconds, as ollama reports durations.</summary>
    public static long Nanoseconds(TimeSpan t) => t.Ticks * 100;

    public static long NanosecondsFor(int tokens, double perSecond) => tokens > 0 && perSecond > 0 ? (long)(tokens / perSecond * 1e9) : 0;

    public static long Elapsed(long startTimestamp) => Nanoseconds(Stopwatch.GetElapsedTime(startTimestamp));
}
