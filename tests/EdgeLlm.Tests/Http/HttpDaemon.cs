using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using EdgeLlm.Config;
using EdgeLlm.Http;
using EdgeLlm.Tests.Daemon;

namespace EdgeLlm.Tests.Http;

/// <summary>The in-process daemon with its HTTP API on 127.0.0.1 and a free port, and an HttpClient for it.</summary>
internal sealed class HttpDaemon : IAsyncDisposable
{
    public const string ModelName = "stories";

    private HttpDaemon(TestDaemon daemon, ScriptedEngine engine)
    {
        Daemon = daemon;
        Engine = engine;
        Client = new HttpClient { BaseAddress = daemon.HttpBase, Timeout = TimeSpan.FromSeconds(20) };
    }

    public TestDaemon Daemon { get; }
    public ScriptedEngine Engine { get; }
    public HttpClient Client { get; }
    public Uri Base => Daemon.HttpBase;

    public static async Task<HttpDaemon> StartAsync(string? apiKey = null, long maxBody = HttpSettings.DefaultMaxBodyBytes, string template = "raw",
        int msPerToken = 0, Func<EdgeLlmConfig, EdgeLlmConfig>? configure = null, int msPerPiece = 0,
        string modelFile = "stories260K.gguf", int contextLength = 0)
    {
        ScriptedEngine? scripted = null;
        var daemon = await TestDaemon.StartAsync(msPerToken, config =>
        {
            config = config with
            {
                Template = template,
                MaxTokens = 24,
                Http = new HttpSettings
                {
                    Listen = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0),
                    ApiKey = apiKey,
                    MaxBodyBytes = maxBody,
                    ModelName = ModelName,
                    ModelPath = config.ModelPath,
                    // A pull of another model never leaves this machine in tests: nothing listens on port 9 here.
                    PullEndpoints = new EdgeLlm.Models.ModelEndpoints(new Uri("http://127.0.0.1:9"), new Uri("http://127.0.0.1:9")),
                    ModelsDirectory = Path.Combine(Path.GetTempPath(), "edgellm-http-store-" + Guid.NewGuid().ToString("N")),
                },
            };
            return configure is null ? config : configure(config);
        }, wrap: engine =>
        {
            EdgeLlm.Pipeline.IGenerationEngine inner = engine;
            if (modelFile != "stories260K.gguf")
            {
                // Another family: its own tokenizer and template; the stories engine made by TestDaemon is not needed.
                engine.Dispose();
                inner = new EdgeLlm.Pipeline.ModelEngine(Fixtures.Model(modelFile), new EdgeLlm.Core.Model.ModelOptions { ContextLength = 512, Threads = 1 });
            }
            return scripted = new ScriptedEngine(inner, TimeSpan.FromMilliseconds(msPerPiece), contextLength);
        });
        return new HttpDaemon(daemon, scripted!);
    }

    public async Task<(int Status, JsonElement Body)> PostAsync(string path, string json, string? key = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (key is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await Client.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, Parse(text));
    }

    public async Task<(int Status, string Body)> GetAsync(string path, string? key = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (key is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await Client.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Every NDJSON line of a streamed response.</summary>
    public async Task<List<JsonElement>> PostLinesAsync(string path, string json)
    {
        using var response = await Client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.Equal(200, (int)response.StatusCode);
        string text = await response.Content.ReadAsStringAsync();
        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(Parse)];
    }

    public static JsonElement Parse(string text)
    {
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Daemon.DisposeAsync();
    }
}
