using System.Net;
using System.Net.Http.Headers;
using System.Security.Authentication;

namespace EdgeLlm.Models;

/// <summary>
/// HTTP for pulling: a client that does not follow redirects by itself, so that Hugging Face's X-Linked-Etag and
/// X-Linked-Size (sent on the redirect to its CDN) are seen, and a Range header survives every hop; and one-line
/// messages for the ways a request fails.
/// </summary>
public static class PullHttp
{
    private const int MaxRedirects = 10;

    public static HttpClient CreateClient(bool useProxy = true)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = useProxy,
            ConnectTimeout = TimeSpan.FromSeconds(30),
            AutomaticDecompression = DecompressionMethods.None, // byte ranges must address the file, not a compressed stream
        };
        var client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan }; // stalls are timed per read instead
        client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("edgellm", "1.0"));
        return client;
    }

    /// <summary>The response at the end of the redirects from <paramref name="url"/>, with the X-Linked-* headers of any hop.</summary>
    public static async Task<(HttpResponseMessage Response, LinkedFileHeaders Linked)> SendAsync(
        HttpClient http, Uri url, Action<HttpRequestMessage>? prepare, CancellationToken ct)
    {
        var linked = new LinkedFileHeaders(null, null);
        Uri current = url;
        for (int hop = 0; ; hop++)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, current);
            prepare?.Invoke(request);
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
            }
            catch (HttpRequestException e)
            {
                throw new PullException(Describe(e, current));
            }
            linked = linked.Merge(LinkedFileHeaders.From(response));
            int status = (int)response.StatusCode;
            if (status is not (301 or 302 or 303 or 307 or 308)) return (response, linked);
            Uri? location = response.Headers.Location;
            response.Dispose();
            if (location is null) throw new PullException($"{current.Authority} redirected {current} without a Location");
            if (hop >= MaxRedirects) throw new PullException($"too many redirects from {url}");
            location = location.IsAbsoluteUri ? location : new Uri(current, location);
            if (current.Scheme == "https" && location.Scheme != "https")
                throw new PullException($"{current.Authority} redirected to an insecure URL ({location.Scheme}://{location.Authority}); refused");
            current = location;
        }
    }

    /// <summary>One line for a failed request, naming the host.</summary>
    public static string Describe(HttpRequestException e, Uri url) => e.HttpRequestError switch
    {
        HttpRequestError.SecureConnectionError =>
            $"TLS connection to {url.Host} failed ({InnermostMessage(e)}); check the date and time and that {url.Authority} speaks https",
        HttpRequestError.NameResolutionError => $"cannot resolve host {url.Host} (no network or no DNS?)",
        HttpRequestError.ConnectionError => $"cannot connect to {url.Authority}: {InnermostMessage(e)}",
        HttpRequestError.ProxyTunnelError => $"the proxy refused the connection to {url.Authority}",
        _ when e.InnerException is AuthenticationException => $"TLS connection to {url.Host} failed ({InnermostMessage(e)})",
        _ => $"request to {url.Authority} failed: {InnermostMessage(e)}",
    };

    /// <summary>One line for an HTTP error status, e.g. "not found (404): URL".</summary>
    public static string DescribeStatus(HttpResponseMessage response, Uri url, string what) => (int)response.StatusCode switch
    {
        404 => $"{what} not found (404 from {url.Authority}): {url}",
        401 or 403 => $"{url.Authority} refuses {url} ({(int)response.StatusCode}): a gated or private repository needs a token, which edgellm does not send",
        429 => $"{url.Authority} is rate limiting (429); try again later",
        int code => $"{url.Authority} answered {code} {response.ReasonPhrase} for {url}",
    };

    private static string InnermostMessage(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e.Message.TrimEnd('.');
    }
}

/// <summary>
/// Hugging Face's headers on a file's redirect: X-Linked-Etag is the sha256 of an LFS file (quoted hex), X-Linked-Size its
/// length; on a plain file the ETag is a git hash, never taken for a sha256.
/// </summary>
public sealed record LinkedFileHeaders(string? Sha256, long? Size)
{
    public static LinkedFileHeaders From(HttpResponseMessage response)
    {
        string? etag = First(response, "X-Linked-Etag")?.Trim().Trim('"');
        if (etag is not null && etag.StartsWith("W/", StringComparison.Ordinal)) etag = etag[2..].Trim('"');
        string? sha = etag is { Length: 64 } && etag.All(char.IsAsciiHexDigit) ? etag.ToLowerInvariant() : null;
        long? size = long.TryParse(First(response, "X-Linked-Size"), out long n) && n >= 0 ? n : null;
        return new LinkedFileHeaders(sha, size);
    }

    public LinkedFileHeaders Merge(LinkedFileHeaders later) => new(later.Sha256 ?? Sha256, later.Size ?? Size);

    private static string? First(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
