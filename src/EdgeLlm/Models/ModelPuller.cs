using System.Text.Json;
using EdgeLlm.Core.Gguf;

namespace EdgeLlm.Models;

/// <summary>
/// Pulls a model into the store: resolves the source (an ollama manifest, or a file URL), downloads it resumably
/// (<see cref="FileDownloader"/>), checks that it is a GGUF file, and only then gives it its .gguf name. Progress goes to
/// a callback in ollama's /api/pull vocabulary (<see cref="PullProgress"/>), so the CLI prints it and the HTTP API can
/// stream it. Failures are <see cref="PullException"/>s with one-line messages.
/// </summary>
public sealed class ModelPuller(ModelStore store, PullOptions options)
{
    private readonly HttpClient _http = options.Http ?? SharedClient.Value;
    private static readonly Lazy<HttpClient> SharedClient = new(() => PullHttp.CreateClient());

    /// <summary>
    /// SOURCE as <c>edgellm pull</c> reads it, with the store's own name and checksum: what an ollama client's
    /// <c>POST /api/pull {"model": "llama3.2:1b"}</c> asks for. A source that cannot be read is a PullException too.
    /// </summary>
    public Task<PullResult> PullAsync(string source, Action<PullProgress> progress, CancellationToken ct)
    {
        ModelSource parsed;
        try
        {
            parsed = ModelSourceParser.Parse(source, options.Endpoints);
        }
        catch (ArgumentException e)
        {
            throw new PullException(e.Message);
        }
        return PullAsync(parsed, null, null, false, progress, ct);
    }

    /// <param name="sha256">A checksum the file must have (hex), from the user; null: the server's or registry's.</param>
    /// <param name="name">The store name; null: the source's (<see cref="ModelSource.StoreName"/>).</param>
    /// <param name="force">Download again even when the store has the model.</param>
    public async Task<PullResult> PullAsync(ModelSource source, string? sha256, string? name, bool force,
        Action<PullProgress> progress, CancellationToken ct)
    {
        string storeName = name is null ? source.StoreName : ModelName.Require(name);
        string finalPath = store.PathFor(storeName);
        if (!force && File.Exists(finalPath))
        {
            var present = Describe(storeName, finalPath, null, null, alreadyPresent: true);
            progress(new PullProgress(PullProgress.Success));
            return present;
        }
        if (sha256 is not null && (sha256.Length != 64 || !sha256.All(char.IsAsciiHexDigit)))
            throw new PullException($"--sha256 must be 64 hexadecimal digits, got '{sha256}'");
        try
        {
            Directory.CreateDirectory(store.Directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PullException($"cannot create the model store {store.Directory}: {e.Message}");
        }

        progress(new PullProgress(PullProgress.PullingManifest));
        var request = source.Kind == ModelSourceKind.Ollama
            ? await ResolveOllamaAsync(source, storeName, ct).ConfigureAwait(false)
            : new DownloadRequest(source.Url!, store.PartialPathFor(storeName), store.RecordPathFor(storeName));
        if (sha256 is not null)
        {
            if (request.ExpectedSha256 is { } registry && !registry.Equals(sha256, StringComparison.OrdinalIgnoreCase))
                throw new PullException($"--sha256 {sha256} differs from the registry's digest sha256:{registry}");
            request = request with { ExpectedSha256 = sha256.ToLowerInvariant(), ShaOrigin = "--sha256" };
        }

        var downloaded = await new FileDownloader(_http, options).DownloadAsync(request, progress, ct).ConfigureAwait(false);
        ValidateGguf(request, source);
        File.Move(request.PartialPath, finalPath, overwrite: true);
        File.Delete(request.RecordPath);
        var result = Describe(storeName, finalPath, downloaded.Sha256, downloaded.VerifiedAgainst, alreadyPresent: false);
        progress(new PullProgress(PullProgress.Success));
        return result;
    }

    /// <summary>The manifest's model layer: its blob URL, size and digest (which the download must match).</summary>
    private async Task<DownloadRequest> ResolveOllamaAsync(ModelSource source, string storeName, CancellationToken ct)
    {
        Uri url = options.Endpoints.OllamaManifest(source.Repository!, source.Tag!);
        var (response, _) = await PullHttp.SendAsync(_http, url, r => r.Headers.Accept.ParseAdd(OllamaManifest.AcceptHeader), ct).ConfigureAwait(false);
        OllamaManifest? manifest;
        using (response)
        {
            if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
                throw new PullException($"the ollama registry at {url.Authority} has no model '{source.Text}' (404)");
            if (!response.IsSuccessStatusCode)
                throw new PullException(PullHttp.DescribeStatus(response, url, "manifest"));
            try
            {
                manifest = JsonSerializer.Deserialize(await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false),
                    PullJsonContext.Default.OllamaManifest);
            }
            catch (JsonException e)
            {
                throw new PullException($"the manifest of '{source.Text}' from {url.Authority} is not valid JSON ({e.Message})");
            }
            catch (HttpRequestException e)
            {
                throw new PullException(PullHttp.Describe(e, url));
            }
        }
        var model = manifest?.Layers?.FirstOrDefault(l => l.MediaType == OllamaManifest.ModelMediaType)
            ?? throw new PullException($"the manifest of '{source.Text}' from {url.Authority} has no {OllamaManifest.ModelMediaType} layer");
        if (model.Digest is not { } digest || !digest.StartsWith("sha256:", StringComparison.Ordinal) || digest.Length != 71 ||
            !digest[7..].All(char.IsAsciiHexDigit))
            throw new PullException($"the manifest of '{source.Text}' from {url.Authority} has a model layer without a sha256 digest");
        return new DownloadRequest(options.Endpoints.OllamaBlob(source.Repository!, digest), store.PartialPathFor(storeName),
            store.RecordPathFor(storeName), model.Size > 0 ? model.Size : null, digest[7..].ToLowerInvariant(), "the registry's digest", digest);
    }

    /// <summary>A file that is no GGUF (an HTML error page, a safetensors file) never enters the store.</summary>
    private static void ValidateGguf(DownloadRequest request, ModelSource source)
    {
        try
        {
            using var file = GgufFile.Open(request.PartialPath);
        }
        catch (GgufException e)
        {
            File.Delete(request.PartialPath);
            File.Delete(request.RecordPath);
            throw new PullException($"{source.Text} is not a usable GGUF file ({e.Message}); nothing kept");
        }
    }

    private static PullResult Describe(string name, string path, string? sha256, string? verifiedAgainst, bool alreadyPresent)
    {
        using var file = GgufFile.Open(path);
        var (runs, verdict) = ModelCompatibility.Check(file);
        return new PullResult(name, path, file.FileLength, sha256, verifiedAgainst, ModelFileSummary.From(file), runs, verdict, alreadyPresent);
    }
}
