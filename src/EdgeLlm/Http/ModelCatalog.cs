using System.Text;
using System.Text.RegularExpressions;

namespace EdgeLlm.Http;

/// <summary>
/// The one loaded model as the HTTP APIs list it: its configured name (also accepted with ollama's <c>:latest</c> tag),
/// file size and date, a stable digest (of name, size and date: hashing gigabytes on a Pi at start is not worth it),
/// and the quantization read from the file name.
/// </summary>
internal sealed partial class ModelCatalog
{
    public ModelCatalog(HttpSettings settings)
    {
        Name = settings.ModelName;
        var file = new FileInfo(settings.ModelPath);
        Size = file.Exists ? file.Length : 0;
        Modified = file.Exists ? file.LastWriteTimeUtc : DateTime.UnixEpoch;
        Digest = StableDigest(Encoding.UTF8.GetBytes($"{Name}\n{Size}\n{Modified.Ticks}"));
        Quantization = QuantizationPattern().Match(Path.GetFileName(settings.ModelPath)) is { Success: true } m ? m.Value.ToUpperInvariant() : "unknown";
    }

    public string Name { get; }
    public long Size { get; }
    public DateTime Modified { get; }
    public string Digest { get; }
    public string Quantization { get; }

    /// <summary>Whether a request's <c>model</c> names the loaded model ("name" or "name:latest", case-insensitive).</summary>
    public bool Matches(string? requested)
    {
        if (string.IsNullOrEmpty(requested)) return false;
        static string Bare(string s) => s.EndsWith(":latest", StringComparison.OrdinalIgnoreCase) ? s[..^7] : s;
        return string.Equals(Bare(requested), Bare(Name), StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// 64 hex digits that change when the model does (four FNV-1a passes with different offsets). Not SHA-256: that
    /// would load OpenSSL, which the daemon otherwise never needs (a Pi image may lack libssl). Nothing trusts it.
    /// </summary>
    private static string StableDigest(byte[] data)
    {
        var digest = new StringBuilder(64);
        for (ulong pass = 0; pass < 4; pass++)
        {
            ulong hash = 14695981039346656037UL ^ (pass * 0x9E3779B97F4A7C15UL);
            foreach (byte b in data) hash = (hash ^ b) * 1099511628211UL;
            digest.Append(hash.ToString("x16", System.Globalization.CultureInfo.InvariantCulture));
        }
        return digest.ToString();
    }

    [GeneratedRegex(@"(?i)(iq\d_[a-z]+|q\d_k_[sml]|q\d_k|q\d_\d|bf16|f16|f32)")]
    private static partial Regex QuantizationPattern();
}
