using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace EdgeLlm.Http;

/// <summary>
/// <c>http_api_key</c>: every request but <c>GET /</c> and <c>HEAD /</c> (Home Assistant's "is it running") needs
/// <c>Authorization: Bearer &lt;key&gt;</c>. The key is compared through SHA-256 digests in constant time, so that
/// neither its content nor its length leaks through timing.
/// </summary>
internal sealed class ApiKeyCheck(string? key)
{
    private readonly byte[]? _keyHash = key is null ? null : SHA256.HashData(Encoding.UTF8.GetBytes(key));

    public bool IsOpen(HttpRequest request) =>
        _keyHash is null || (request.Path == "/" && (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)));

    public bool IsAuthorized(HttpRequest request)
    {
        if (IsOpen(request)) return true;
        string header = request.Headers.Authorization.ToString();
        const string Scheme = "Bearer ";
        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)) return false;
        byte[] given = SHA256.HashData(Encoding.UTF8.GetBytes(header[Scheme.Length..].Trim()));
        return CryptographicOperations.FixedTimeEquals(given, _keyHash);
    }
}
