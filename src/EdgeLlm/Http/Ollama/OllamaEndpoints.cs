using System.Text;
using System.Text.Json;
using EdgeLlm.Pipeline;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace EdgeLlm.Http.Ollama;

/// <summary>
/// Ollama's API as Home Assistant's Ollama integration and ollama clients use it: <c>/</c>, <c>/api/version</c>,
/// <c>/api/tags</c>, <c>/api/ps</c>, <c>/api/show</c>, <c>/api/pull</c>, and <c>/api/chat</c> and <c>/api/generate</c>
/// (see <see cref="OllamaChatHandler"/>). The one loaded model is the only model.
/// </summary>
internal static class OllamaEndpoints
{
    public const string Running = "Ollama is running";

    public static void Map(IEndpointRouteBuilder app, HttpApi api)
    {
        app.MapMethods("/", ["GET", "HEAD"], (RequestDelegate)(context =>
        {
            context.Response.ContentType = "text/plain; charset=utf-8";
            context.Response.ContentLength = Running.Length;
            return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.WriteAsync(Running);
        }));
        app.MapMethods("/api/version", ["GET", "HEAD"], (RequestDelegate)(context =>
            HttpApi.WriteJsonAsync(context, 200, new OllamaVersion(HttpApi.OllamaVersion), OllamaJson.Web.OllamaVersion)));
        app.MapMethods("/api/tags", ["GET", "HEAD"], (RequestDelegate)(context =>
            HttpApi.WriteJsonAsync(context, 200, new OllamaTags([Entry(api), .. StoreEntries(api)]), OllamaJson.Web.OllamaTags)));
        app.MapMethods("/api/ps", ["GET", "HEAD"], (RequestDelegate)(context => Ps(context, api)));
        app.MapPost("/api/show", (RequestDelegate)(context => ShowAsync(context, api)));
        app.MapPost("/api/pull", (RequestDelegate)(context => PullAsync(context, api)));
        var chat = new OllamaChatHandler(api);
        app.MapPost("/api/chat", (RequestDelegate)chat.ChatAsync);
        app.MapPost("/api/generate", (RequestDelegate)chat.GenerateAsync);
    }

    public static Task ErrorAsync(HttpContext context, int status, string message) =>
        HttpApi.WriteJsonAsync(context, status, new OllamaError(message), OllamaJson.Web.OllamaError);

    /// <summary>The request body, or null after answering ollama's error for a body that is too big or malformed.</summary>
    public static async Task<T?> ReadBodyAsync<T>(HttpContext context, HttpApi api, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) where T : class
    {
        var (request, failure) = await HttpBody.ReadAsync(context, type, api.Settings.MaxBodyBytes);
        if (failure is null) return request;
        await ErrorAsync(context, failure.Status, failure.Message);
        return null;
    }

    public static string NotFound(string? model) => $"model '{model}' not found";

    private static OllamaModelDetails Details(HttpApi api) =>
        new("", "gguf", Family(api), [Family(api)], "", api.Model.Quantization);

    private static string Family(HttpApi api) => api.Pipeline.Status().Template switch
    {
        "llama3" or "llama2" => "llama",
        "qwen3" => "qwen3",
        "chatml" => "qwen2",
        "phi3" => "phi3",
        "mistral" or "mistral-v1" => "llama",
        _ => "llama",
    };

    private static OllamaModelEntry Entry(HttpApi api) =>
        new(api.Model.Name, api.Model.Name, api.Model.Modified, api.Model.Size, api.Model.Digest, Details(api));

    /// <summary>Models pulled into the store (edgellm pull, /api/pull) besides the one served: Home Assistant's model list.</summary>
    private static IEnumerable<OllamaModelEntry> StoreEntries(HttpApi api)
    {
        IReadOnlyList<Models.StoredModel> stored;
        try { stored = Models.ModelStore.Open(api.Settings.ModelsDirectory).List(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { yield break; }
        foreach (var m in stored)
        {
            if (Path.GetFullPath(m.Path) == Path.GetFullPath(api.Settings.ModelPath) || api.Model.Matches(m.Name)) continue;
            yield return new OllamaModelEntry(m.Name, m.Name, m.Modified, m.Size, "",
                new OllamaModelDetails("", "gguf", "", [], "", ""));
        }
    }

    private static Task Ps(HttpContext context, HttpApi api)
    {
        var m = api.Model;
        var running = new OllamaRunningModel(m.Name, m.Name, m.Size, m.Digest, Details(api),
            DateTime.UtcNow.AddYears(100), 0, api.Pipeline.Mapper.ContextLength);
        return HttpApi.WriteJsonAsync(context, 200, new OllamaRunning([running]), OllamaJson.Web.OllamaRunning);
    }

    private static async Task ShowAsync(HttpContext context, HttpApi api)
    {
        if (await ReadBodyAsync(context, api, OllamaJson.Web.OllamaModelRequest) is not { } request) return;
        string? model = request.Model ?? request.Name;
        if (!api.Model.Matches(model))
        {
            await ErrorAsync(context, 404, NotFound(model));
            return;
        }
        string family = Family(api);
        var info = new Dictionary<string, JsonElement>(StringComparer.Ordinal)
        {
            ["general.architecture"] = JsonSerializer.SerializeToElement(family, OllamaJsonPrimitives.Default.String),
            [family + ".context_length"] = JsonSerializer.SerializeToElement(api.Pipeline.Mapper.ContextLength, OllamaJsonPrimitives.Default.Int32),
        };
        var template = api.Pipeline.Mapper.Template(null);
        string[] capabilities = template.HasThinking ? ["completion", "tools", "thinking"] : ["completion", "tools"];
        var show = new OllamaShow("", $"# served by edgellm\nFROM {api.Model.Name}\n", "", template.Name, Details(api), info, capabilities, api.Model.Modified);
        await HttpApi.WriteJsonAsync(context, 200, show, OllamaJson.Web.OllamaShow);
    }

    /// <summary>
    /// Pulling the served model succeeds at once (Home Assistant pulls a model it does not see); any other name is a real
    /// pull into the model store (<see cref="OllamaPull"/>).
    /// </summary>
    private static async Task PullAsync(HttpContext context, HttpApi api)
    {
        if (await ReadBodyAsync(context, api, OllamaJson.Web.OllamaModelRequest) is not { } request) return;
        string? model = request.Model ?? request.Name;
        if (!api.Model.Matches(model))
        {
            // Not the served model: a real pull into the model store (ollama library names, curated names, Hugging Face).
            if (string.IsNullOrWhiteSpace(model)) await ErrorAsync(context, 400, "model is required");
            else await OllamaPull.RunAsync(context, api, model, request.Stream != false);
            return;
        }
        if (request.Stream == false)
        {
            await HttpApi.WriteJsonAsync(context, 200, new OllamaStatus("success"), OllamaJson.Web.OllamaStatus);
            return;
        }
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/x-ndjson";
        var lines = new StringBuilder();
        foreach (string status in (ReadOnlySpan<string>)["pulling manifest", "verifying sha256 digest", "writing manifest", "success"])
            lines.Append(JsonSerializer.Serialize(new OllamaStatus(status), OllamaJson.Web.OllamaStatus)).Append('\n');
        await context.Response.WriteAsync(lines.ToString(), context.RequestAborted);
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
[System.Text.Json.Serialization.JsonSerializable(typeof(int))]
internal sealed partial class OllamaJsonPrimitives : System.Text.Json.Serialization.JsonSerializerContext;
