namespace EdgeLlm.Models;

/// <summary>
/// An ollama registry manifest (Docker distribution manifest v2): GET /v2/NAMESPACE/NAME/manifests/TAG. The GGUF file
/// is the layer of media type <see cref="ModelMediaType"/>; the others are its template, parameters and license.
/// </summary>
public sealed record OllamaManifest(int SchemaVersion, string? MediaType, OllamaLayer? Config, IReadOnlyList<OllamaLayer>? Layers)
{
    public const string ModelMediaType = "application/vnd.ollama.image.model";
    public const string AcceptHeader = "application/vnd.docker.distribution.manifest.v2+json";
}

/// <summary>A blob of a manifest: its media type, "sha256:HEX" digest and size in bytes.</summary>
public sealed record OllamaLayer(string? MediaType, string? Digest, long Size);
