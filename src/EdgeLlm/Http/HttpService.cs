using System.Net;
using EdgeLlm.Pipeline;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeLlm.Http;

/// <summary>
/// The HTTP transport (<c>http_enabled</c>): a Kestrel server with the Ollama- and OpenAI-compatible APIs, started after
/// the model is ready. It is one more way into the shared <see cref="RequestPipeline"/>: the same queue, guards,
/// timeout, cancellation and single generation thread as the socket and MQTT.
/// </summary>
public sealed class HttpService(HttpSettings settings, RequestPipeline pipeline, ILoggerFactory logs) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    /// <summary>Where the server listens once started (with the real port when <c>http_listen</c> asked for port 0).</summary>
    public IPEndPoint? BoundEndPoint { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!settings.Enabled) return;
        var log = logs.CreateLogger("EdgeLlm.Http");
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ApplicationName = "edgellm" });
        // The daemon's own logging (journal, file, level) also carries ASP.NET Core's messages.
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(logs);
        builder.Services.AddSingleton<IHostLifetime, EmbeddedLifetime>();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = settings.MaxBodyBytes;
            kestrel.Limits.MaxConcurrentConnections = 64;
            kestrel.Listen(settings.Listen);
        });
        var app = builder.Build();
        var api = new HttpApi(settings, pipeline, log);
        var keys = new ApiKeyCheck(settings.ApiKey);
        app.Use(async (context, next) =>
        {
            if (keys.IsAuthorized(context.Request))
            {
                await next(context);
                return;
            }
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await HttpErrors.WriteAsync(context, 401, "unauthorized: send Authorization: Bearer <key> (http_api_key)", "invalid_api_key");
        });
        Ollama.OllamaEndpoints.Map(app, api);
        OpenAi.OpenAiEndpoints.Map(app, api);
        app.MapFallback((RequestDelegate)(context => HttpErrors.WriteAsync(context, 404, $"{context.Request.Method} {context.Request.Path}: no such endpoint", "not_found")));

        await app.StartAsync(cancellationToken);
        _app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        BoundEndPoint = address is not null && Uri.TryCreate(address, UriKind.Absolute, out var uri)
            ? new IPEndPoint(settings.Listen.Address, uri.Port)
            : settings.Listen;
        log.LogInformation("HTTP API (Ollama and OpenAI compatible) on http://{EndPoint}{Auth}", BoundEndPoint, settings.ApiKey is null ? "" : " (API key required)");
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is null) return;
        // Running answers were cancelled when the host began stopping; their final chunks go out before this ends.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(3));
        await _app.StopAsync(timeout.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
    }
}
