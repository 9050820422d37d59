using System.Text.Json;
using System.Threading.Channels;
using EdgeLlm.Models;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace EdgeLlm.Http.Ollama;

/// <summary>
/// <c>POST /api/pull</c> for a model this daemon does not serve: a real pull into the model store (<see cref="ModelPuller"/>:
/// curated names, ollama library names, Hugging Face files), streamed as ollama's status lines. The pulled model then
/// shows in <c>/api/tags</c>; serving it is a configuration change (<c>model</c>) and a restart.
/// </summary>
/// <remarks>
/// The puller reports progress on its own thread; a channel hands the lines to the response so a slow client never
/// stalls the download. An error after the stream has started is ollama's <c>{"error": "..."}</c> line.
/// </remarks>
internal static class OllamaPull
{
    public static async Task RunAsync(HttpContext context, HttpApi api, string model, bool stream)
    {
        var store = ModelStore.Open(api.Settings.ModelsDirectory);
        var puller = new ModelPuller(store, new PullOptions { Endpoints = api.Settings.PullEndpoints });
        var lines = Channel.CreateUnbounded<OllamaPullStatus>(new UnboundedChannelOptions { SingleReader = true });
        var pull = Task.Run(() => puller.PullAsync(model, p => lines.Writer.TryWrite(new OllamaPullStatus(
            p.Status, p.Digest, p.Status == PullProgress.Downloading ? p.Total : null, p.Status == PullProgress.Downloading ? p.Completed : null)),
            context.RequestAborted));
        _ = pull.ContinueWith(_ => lines.Writer.TryComplete(), TaskScheduler.Default);

        if (stream)
        {
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/x-ndjson";
        }
        await foreach (var line in lines.Reader.ReadAllAsync(context.RequestAborted))
            if (stream) await WriteLineAsync(context, JsonSerializer.Serialize(line, OllamaJson.Web.OllamaPullStatus));

        string? failure = await Failure(pull);
        if (failure is null) api.Log.LogInformation("pulled {Model} into the model store {Store}", model, store.Directory);
        else api.Log.LogWarning("pull of {Model} failed: {Error}", model, failure);

        if (stream && failure is not null)
            await WriteLineAsync(context, JsonSerializer.Serialize(new OllamaError(failure), OllamaJson.Web.OllamaError));
        else if (!stream && failure is null)
            await HttpApi.WriteJsonAsync(context, 200, new OllamaStatus(PullProgress.Success), OllamaJson.Web.OllamaStatus);
        else if (!stream)
            await OllamaEndpoints.ErrorAsync(context, 500, failure!);
    }

    private static async Task<string?> Failure(Task<PullResult> pull)
    {
        try
        {
            await pull;
            return null;
        }
        catch (PullException e)
        {
            return e.Message;
        }
        catch (OperationCanceledException)
        {
            return "pull cancelled";
        }
    }

    private static async Task WriteLineAsync(HttpContext context, string json)
    {
        await context.Response.WriteAsync(json + "\n", context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }
}
