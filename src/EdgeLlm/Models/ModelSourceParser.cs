using System.Text.RegularExpressions;

namespace EdgeLlm.Models;

/// <summary>
/// Reads SOURCE: a curated name (llama3.2-1b), hf:OWNER/REPO/PATH.gguf, a Hugging Face web URL (…/resolve/REV/… or
/// …/blob/REV/…, sent to the configured endpoint so a mirror applies to it too), any other http(s) URL, or an ollama
/// name (llama3.2:1b, NAMESPACE/NAME:TAG). Errors are one line naming the source.
/// </summary>
public static partial class ModelSourceParser
{
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex RepositoryPattern();

    [GeneratedRegex(@"^(?:(?<ns>[a-z0-9][a-z0-9._-]*)/)?(?<name>[a-z0-9][a-z0-9._-]*)(?::(?<tag>[A-Za-z0-9][A-Za-z0-9._-]*))?$")]
    private static partial Regex OllamaPattern();

    public static ModelSource Parse(string text, ModelEndpoints endpoints)
    {
        text = text.Trim();
        if (CuratedModels.Find(text) is { } curated)
            return HuggingFace(text, curated.Repository, "main", curated.File, endpoints, curated.Name);
        if (text.StartsWith("hf:", StringComparison.OrdinalIgnoreCase))
            return ParseHfShorthand(text, endpoints);
        if (text.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            return ParseUrl(text, endpoints);
        if (OllamaPattern().Match(text) is { Success: true } m)
        {
            string ns = m.Groups["ns"].Success ? m.Groups["ns"].Value : "library";
            string name = m.Groups["name"].Value;
            string tag = m.Groups["tag"].Success ? m.Groups["tag"].Value : "latest";
            string storeName = (ns == "library" ? "" : ns + "-") + name + "_" + tag;
            return new ModelSource(ModelSourceKind.Ollama, text, ModelName.Require(storeName), Repository: $"{ns}/{name}", Tag: tag);
        }
        throw new ArgumentException(
            $"'{text}' is not a model source: use a curated name (edgellm pull --list), hf:OWNER/REPO/FILE.gguf, an https URL, or an ollama name such as llama3.2:1b");
    }

    private static ModelSource ParseHfShorthand(string text, ModelEndpoints endpoints)
    {
        string[] parts = text[3..].Split('/', 3);
        if (parts.Length < 3 || parts[2].Length == 0 || !RepositoryPattern().IsMatch(parts[0] + "/" + parts[1]))
            throw new ArgumentException($"'{text}' is not hf:OWNER/REPO/FILE.gguf");
        string file = parts[2];
        string revision = "main";
        int at = file.LastIndexOf('@'); // hf:OWNER/REPO/FILE.gguf@REVISION pins a commit or branch
        if (at > 0)
        {
            revision = file[(at + 1)..];
            file = file[..at];
        }
        return HuggingFace(text, parts[0] + "/" + parts[1], revision, file, endpoints, null);
    }

    private static ModelSource ParseUrl(string text, ModelEndpoints endpoints)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Host.Length == 0)
            throw new ArgumentException($"'{text}' is not a valid URL");
        bool hfHost = url.Host.Equals("huggingface.co", StringComparison.OrdinalIgnoreCase) ||
                      url.Authority.Equals(endpoints.HuggingFace.Authority, StringComparison.OrdinalIgnoreCase);
        // https://huggingface.co/OWNER/REPO/{resolve|blob}/REVISION/PATH: the web page URL and the download URL both work.
        string[] segments = url.AbsolutePath.Trim('/').Split('/');
        if (hfHost && segments.Length >= 5 && segments[2] is "resolve" or "blob")
        {
            string file = string.Join('/', segments[4..].Select(Uri.UnescapeDataString));
            return HuggingFace(text, segments[0] + "/" + segments[1], Uri.UnescapeDataString(segments[3]), file, endpoints, null);
        }
        string last = Uri.UnescapeDataString(segments[^1]);
        return new ModelSource(ModelSourceKind.Url, text, NameFromFile(last, text), Url: url);
    }

    private static ModelSource HuggingFace(string text, string repository, string revision, string file, ModelEndpoints endpoints, string? storeName) =>
        new(ModelSourceKind.HuggingFace, text, storeName ?? NameFromFile(Path.GetFileName(file), text),
            Url: endpoints.HuggingFaceFile(repository, revision, file), Repository: repository, Tag: revision);

    private static string NameFromFile(string fileName, string text)
    {
        string name = ModelName.Normalize(fileName);
        return ModelName.IsValid(name) ? name
            : throw new ArgumentException($"cannot name a model after '{fileName}' (from {text}): give one with --name");
    }
}
