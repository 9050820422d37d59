namespace EdgeLlm.Models;

/// <summary>
/// The servers models come from. Both are overridable, like huggingface_hub's HF_ENDPOINT: a mirror, a proxy in the
/// house, or a local fake server in tests.
/// </summary>
public sealed record ModelEndpoints(Uri HuggingFace, Uri OllamaRegistry)
{
    public const string HuggingFaceVariable = "EDGELLM_HF_ENDPOINT";
    public const string OllamaRegistryVariable = "EDGELLM_OLLAMA_REGISTRY";

    public static readonly ModelEndpoints Default = new(new Uri("https://huggingface.co"), new Uri("https://registry.ollama.ai"));

    /// <summary>The defaults overridden by $EDGELLM_HF_ENDPOINT and $EDGELLM_OLLAMA_REGISTRY.</summary>
    public static ModelEndpoints FromEnvironment() => new(
        Read(HuggingFaceVariable) ?? Default.HuggingFace,
        Read(OllamaRegistryVariable) ?? Default.OllamaRegistry);

    private static Uri? Read(string variable)
    {
        string? value = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrWhiteSpace(value)) return null;
        return Uri.TryCreate(value.Trim().TrimEnd('/'), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new ArgumentException($"{variable} must be an http or https URL, got '{value}'");
    }

    /// <summary>{endpoint}/OWNER/REPO/resolve/REVISION/FILE: the URL huggingface_hub downloads a file from.</summary>
    public Uri HuggingFaceFile(string repository, string revision, string file) =>
        new($"{HuggingFace.AbsoluteUri.TrimEnd('/')}/{repository}/resolve/{Uri.EscapeDataString(revision)}/{EscapePath(file)}");

    public Uri OllamaManifest(string repository, string tag) =>
        new($"{OllamaRegistry.AbsoluteUri.TrimEnd('/')}/v2/{repository}/manifests/{Uri.EscapeDataString(tag)}");

    public Uri OllamaBlob(string repository, string digest) =>
        new($"{OllamaRegistry.AbsoluteUri.TrimEnd('/')}/v2/{repository}/blobs/{digest}");

    private static string EscapePath(string path) => string.Join('/', path.Split('/').Select(Uri.EscapeDataString));
}
