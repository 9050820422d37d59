using System.Globalization;
using System.Net;

namespace EdgeLlm.Http;

/// <summary>
/// The HTTP transport's own settings (the <c>http_*</c> keys and <c>model_name</c>): the service gets this record,
/// not the whole configuration. Defaults make the Pi look like an Ollama server on this machine only.
/// </summary>
public sealed record HttpSettings
{
    public const string DefaultListen = "127.0.0.1:11434";
    public const long DefaultMaxBodyBytes = 4 << 20;

    /// <summary><c>http_enabled</c>: the HTTP transport runs only when true.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary><c>http_listen</c>: address:port; port 0 picks a free one (tests).</summary>
    public IPEndPoint Listen { get; init; } = IPEndPoint.Parse(DefaultListen);

    /// <summary><c>http_api_key</c> or the first line of <c>http_api_key_file</c>; null = no key needed.</summary>
    public string? ApiKey { get; init; }

    /// <summary><c>http_max_body_bytes</c>: larger request bodies get 413 without being parsed.</summary>
    public long MaxBodyBytes { get; init; } = DefaultMaxBodyBytes;

    /// <summary><c>model_name</c>: the name clients use for the loaded model (default: the file name without .gguf).</summary>
    public string ModelName { get; init; } = "model";

    /// <summary>The model file, for the size and date that <c>/api/tags</c> shows.</summary>
    public string ModelPath { get; init; } = "";

    /// <summary>The <c>models_dir</c> setting (null: the default store): where <c>/api/pull</c> puts models and what <c>/api/tags</c> lists.</summary>
    public string? ModelsDirectory { get; init; }

    /// <summary>Where <c>/api/pull</c> downloads from: Hugging Face and the ollama registry, or the mirrors named by
    /// EDGELLM_HF_ENDPOINT / EDGELLM_OLLAMA_REGISTRY (as for <c>edgellm pull</c>).</summary>
    public Models.ModelEndpoints PullEndpoints { get; init; } = Models.ModelEndpoints.FromEnvironment();

    /// <summary>The keys <see cref="FromLookup"/> reads, with their help text.</summary>
    public static readonly IReadOnlyList<(string Key, string Help)> Keys =
    [
        ("model_name", "the model's name in the HTTP APIs (default: the model file name without .gguf)"),
        ("http_enabled", "serve the Ollama- and OpenAI-compatible HTTP API: true or false (default true)"),
        ("http_listen", $"address:port of the HTTP API; 0.0.0.0:11434 serves the LAN (default {DefaultListen})"),
        ("http_api_key", "when set, HTTP requests need Authorization: Bearer <key> (all but GET / and HEAD /) (default empty)"),
        ("http_api_key_file", "file whose first line is the HTTP API key (readable by the daemon only) (default empty)"),
        ("http_max_body_bytes", $"largest HTTP request body in bytes (default {DefaultMaxBodyBytes})"),
    ];

    /// <summary>Reads the keys from any source; each problem is added to <paramref name="errors"/> as "key message".</summary>
    public static HttpSettings FromLookup(Func<string, string?> lookup, string modelPath, List<string> errors)
    {
        var s = new HttpSettings { ModelPath = modelPath, ModelName = DefaultModelName(modelPath), ModelsDirectory = lookup("models_dir") };
        if (lookup("model_name") is { Length: > 0 } name)
        {
            if (name.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))) errors.Add("model_name must not contain spaces or control characters");
            else s = s with { ModelName = name };
        }
        if (lookup("http_enabled") is { } enabled)
        {
            if (ParseBool(enabled) is bool b) s = s with { Enabled = b };
            else errors.Add($"http_enabled must be true or false, got '{enabled}'");
        }
        if (lookup("http_listen") is { Length: > 0 } listen)
        {
            if (ParseListen(listen) is { } endPoint) s = s with { Listen = endPoint };
            else errors.Add($"http_listen must be address:port with a numeric IPv4 or [IPv6] address and a port from 0 to 65535, such as {DefaultListen}, got '{listen}'");
        }
        if (lookup("http_max_body_bytes") is { } max)
        {
            if (long.TryParse(max.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long m) && m is >= 1024 and <= 1L << 30)
                s = s with { MaxBodyBytes = m };
            else errors.Add($"http_max_body_bytes must be an integer from 1024 to {1L << 30}, got '{max}'");
        }
        string? key = lookup("http_api_key") is { Length: > 0 } k ? k : null;
        if (lookup("http_api_key_file") is { Length: > 0 } file)
        {
            if (key is not null) errors.Add("http_api_key_file cannot be combined with http_api_key: set one of them");
            else
            {
                try
                {
                    key = File.ReadLines(file).FirstOrDefault()?.Trim();
                    if (string.IsNullOrEmpty(key)) errors.Add($"http_api_key_file {file} has no key on its first line");
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    errors.Add($"http_api_key_file cannot be read: {e.Message}");
                }
            }
        }
        return s with { ApiKey = string.IsNullOrEmpty(key) ? null : key };
    }

    public static string DefaultModelName(string modelPath)
    {
        string name = Path.GetFileName(modelPath);
        return name.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase) ? name[..^5] : name.Length > 0 ? name : "model";
    }

    /// <summary>"127.0.0.1:11434", "[::1]:11434", "0.0.0.0:11434" or "localhost:11434" (loopback); null when invalid.</summary>
    public static IPEndPoint? ParseListen(string text)
    {
        text = text.Trim();
        if (text.StartsWith("localhost:", StringComparison.OrdinalIgnoreCase)) text = "127.0.0.1" + text[9..];
        int colon = text.LastIndexOf(':');
        // A bare IPv6 address without brackets would be ambiguous with its port.
        if (colon <= 0 || (text.Count(c => c == ':') > 1 && !text.StartsWith('['))) return null;
        if (!int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > 65535) return null;
        string host = text[..colon].Trim('[', ']');
        return IPAddress.TryParse(host, out var address) ? new IPEndPoint(address, port) : null;
    }

    private static bool? ParseBool(string s) => s.Trim().ToLowerInvariant() switch
    {
        "true" or "1" or "yes" => true,
        "false" or "0" or "no" => false,
        _ => null,
    };
}
