namespace EdgeLlm.Models;

public enum ModelSourceKind
{
    /// <summary>A file in a Hugging Face repository (hf:OWNER/REPO/FILE.gguf, its web URL, or a curated name).</summary>
    HuggingFace,
    /// <summary>Any other http(s) URL of a GGUF file.</summary>
    Url,
    /// <summary>An ollama library model (NAME[:TAG]), read from the registry's manifest and blob routes.</summary>
    Ollama,
}

/// <summary>
/// What <c>edgellm pull SOURCE</c> fetches: for files, the URL; for ollama, the registry repository and tag. StoreName is
/// the name the model gets in the store (a curated short name, the file name, or the ollama name with '_' for ':').
/// </summary>
public sealed record ModelSource(ModelSourceKind Kind, string Text, string StoreName, Uri? Url = null, string? Repository = null, string? Tag = null)
{
    public override string ToString() => Text;
}
