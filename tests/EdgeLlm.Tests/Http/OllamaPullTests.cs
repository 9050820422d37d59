using EdgeLlm.Models;
using EdgeLlm.Tests.Models;

namespace EdgeLlm.Tests.Http;

/// <summary>
/// <c>/api/pull</c> of a model the daemon does not serve is a real pull into the model store, streamed as ollama's status
/// lines, against a local fake registry (127.0.0.1 only); the pulled model then shows in <c>/api/tags</c>.
/// </summary>
public sealed class OllamaPullTests
{
    private static Task<HttpDaemon> Start(PullTestKit kit) => HttpDaemon.StartAsync(configure: c => c with
    {
        Http = c.Http with { ModelsDirectory = kit.Store.Directory, PullEndpoints = new ModelEndpoints(kit.Server.BaseUri, kit.Server.BaseUri) },
    });

    [Fact]
    public async Task Pulls_from_the_ollama_registry_streaming_its_status_lines_then_lists_the_model()
    {
        using var kit = new PullTestKit();
        await using var d = await Start(kit);

        var lines = await d.PostLinesAsync("/api/pull", """{"model":"tinystories:260k"}""");
        var statuses = lines.Select(l => l.GetProperty("status").GetString()).ToList();
        Assert.Equal("pulling manifest", statuses[0]);
        Assert.Equal("success", statuses[^1]);
        Assert.Contains("verifying sha256 digest", statuses);
        var downloading = lines.Where(l => l.GetProperty("status").GetString() == "downloading").ToList();
        Assert.NotEmpty(downloading);
        Assert.Equal(kit.Model.Length, downloading[^1].GetProperty("total").GetInt64());
        Assert.Equal("sha256:" + kit.Sha256, downloading[^1].GetProperty("digest").GetString());
        Assert.Equal(kit.Model, File.ReadAllBytes(kit.Store.PathFor("tinystories_260k")));

        var (status, tags) = await d.GetAsync("/api/tags");
        Assert.Equal(200, status);
        Assert.Contains("\"tinystories_260k\"", tags);
    }

    [Fact]
    public async Task An_unknown_model_streams_ollamas_error_line_and_keeps_nothing()
    {
        using var kit = new PullTestKit();
        await using var d = await Start(kit);
        var lines = await d.PostLinesAsync("/api/pull", """{"model":"nosuchmodel:7b"}""");
        Assert.Contains("nosuchmodel:7b", lines[^1].GetProperty("error").GetString());
        Assert.Empty(kit.Store.List());

        var (status, body) = await d.PostAsync("/api/pull", """{"model":"nosuchmodel:7b","stream":false}""");
        Assert.Equal(500, status);
        Assert.Contains("nosuchmodel:7b", body.GetProperty("error").GetString());
    }
}
