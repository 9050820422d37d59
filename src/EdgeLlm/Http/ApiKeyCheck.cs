using System.Text;
using Microsoft.AspNetCore.Http;

namespace EdgeLlm.Http;

/// <summary>
/// <c>http_api_key</c>: every request but <c>GET /</c> and <c>HEAD /</c> (Home Assistant's "is it running") needs
/// <c>Authorization: Bearer &lt;key&gt;</c>. The comparison takes the same time whatever the client sends (it always
/// walks the whole key), so timing tells nothing about how much of a guess was right. No hash: SHA-256 would load
/// OpenSSL, which the daemon otherwise never needs.
/// </summary>
internal sealed class ApiKeyCheck(string? key)
{
    private readonly byte[]? _key = key is null ? null : Encoding.UTF8.GetBytes(key);

    public bool IsOpen(HttpRequest request) =>
        _key is null || (request.Path == "/" && (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)));

    public bool IsAuthorized(HttpRequest request)
    {
        if (IsOpen(request)) return true;
        string header = request.Headers.Authorization.ToString();
        const string Scheme = "Bearer ";
        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)) return false;
        return EqualInConstantTime(Encoding.UTF8.GetBytes(header[Scheme.Length..].Trim()), _key!);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining | System.Runtime.CompilerServices.MethodImplOptions.NoOptimization)]
    internal static bool EqualInConstantTime(byte[] given, byte[] key)
    {
        int difference = given.Length ^ key.Length;
        for (int i = 0; i < key.Length; i++)
            difference |= key[i] ^ (given.Length == 0 ? 0 : given[i % given.Length]);
        return difference == 0;
    }
}
