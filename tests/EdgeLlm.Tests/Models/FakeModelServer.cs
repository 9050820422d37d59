using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace EdgeLlm.Tests.Models;

/// <summary>
/// A local stand-in for Hugging Face and the ollama registry on 127.0.0.1, behaving like the real ones where pulling
/// depends on it: /OWNER/REPO/resolve/REV/FILE answers 302 to a CDN URL with X-Linked-Etag (quoted sha256),
/// X-Linked-Size and a git ETag; /v2/NS/NAME/manifests/TAG answers a Docker v2 manifest (only with its Accept header);
/// /v2/NS/NAME/blobs/sha256:HEX answers 307 to the CDN; the CDN honours Range (206 + Content-Range). Switches make
/// it cut, stall, trickle, lie about the size or the checksum, or answer 404.
/// </summary>
internal sealed class FakeModelServer : IDisposable
{
    private HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, byte[]> _files = new(StringComparer.Ordinal);

    public FakeModelServer()
    {
        // A free port can be taken by a parallel test between the probe and Start: try another one.
        for (int attempt = 1; ; attempt++)
        {
            Port = FreePort();
            _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
            try
            {
                _listener.Start();
                break;
            }
            catch (HttpListenerException) when (attempt < 10)
            {
                _listener.Close();
                _listener = new HttpListener();
            }
        }
        _ = Task.Run(ServeAsync);
    }

    public int Port { get; private set; }
    public Uri BaseUri => new($"http://127.0.0.1:{Port}");
    public ConcurrentQueue<(string Path, string? Range, string? Accept)> Requests { get; } = new();

    /// <summary>CDN responses that are cut after this many bytes (then the connection is aborted), one per entry.</summary>
    public ConcurrentQueue<long> CutAfter { get; } = new();
    /// <summary>Stall this long after the first CutAfter/StallAfter bytes instead of aborting at once.</summary>
    public TimeSpan StallBeforeCut { get; set; }
    /// <summary>Pause between 64 KiB pieces of a CDN response (a slow server).</summary>
    public TimeSpan PieceDelay { get; set; }
    /// <summary>X-Linked-Size / manifest size to announce instead of the real one.</summary>
    public long? AnnouncedSize { get; set; }
    /// <summary>X-Linked-Etag to send instead of the real sha256.</summary>
    public string? AnnouncedSha256 { get; set; }
    /// <summary>Send bodies chunked, without Content-Length (and ignore Range), like a plain server streaming a file.</summary>
    public bool Chunked { get; set; }
    /// <summary>Answer every request with the whole file (200), as servers without byte ranges do.</summary>
    public bool IgnoreRange { get; set; }

    public static string Sha256Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Serves <paramref name="bytes"/> as Hugging Face file OWNER/REPO/FILE (any revision) and as a registry blob.</summary>
    public void AddFile(string name, byte[] bytes) => _files[name] = bytes;

    public Uri HfFileUrl(string repo, string file) => new(BaseUri, $"/{repo}/resolve/main/{file}");
    public Uri CdnUrl(string file) => new(BaseUri, $"/cdn/{file}");

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (_stop.IsCancellationRequested) { return; }
            catch (HttpListenerException) { return; }
            catch (ObjectDisposedException) { return; }
            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var response = context.Response;
        string path = request.Url!.AbsolutePath;
        Requests.Enqueue((path, request.Headers["Range"], request.Headers["Accept"]));
        try
        {
            string[] s = path.Trim('/').Split('/');
            if (s.Length == 5 && s[2] == "resolve" && _files.TryGetValue(s[4], out var hfFile))
            {
                // Hugging Face: an LFS file's resolve URL redirects to the CDN and carries the file's sha256 and size.
                response.StatusCode = 302;
                response.RedirectLocation = $"/cdn/{s[4]}?X-Amz-Signature=fake";
                response.Headers["X-Linked-Etag"] = $"\"{AnnouncedSha256 ?? Sha256Hex(hfFile)}\"";
                response.Headers["X-Linked-Size"] = (AnnouncedSize ?? hfFile.Length).ToString();
                response.Headers["ETag"] = "\"0123456789abcdef0123456789abcdef01234567\""; // a git blob id: never a sha256
                response.Headers["X-Repo-Commit"] = "fedcba9876543210fedcba9876543210fedcba98";
                response.Close();
            }
            else if (s.Length == 5 && s[0] == "v2" && s[3] == "manifests" && _files.TryGetValue($"{s[1]}/{s[2]}:{s[4]}", out var model))
            {
                if (request.Headers["Accept"]?.Contains("application/vnd.docker.distribution.manifest.v2+json") != true)
                {
                    await WriteText(response, 404, """{"errors":[{"code":"MANIFEST_UNKNOWN"}]}""");
                    return;
                }
                string digest = "sha256:" + (AnnouncedSha256 ?? Sha256Hex(model));
                await WriteText(response, 200, $$"""
                    {"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",
                     "config":{"mediaType":"application/vnd.docker.container.image.v1+json","digest":"sha256:{{new string('c', 64)}}","size":485},
                     "layers":[{"mediaType":"application/vnd.ollama.image.model","digest":"{{digest}}","size":{{AnnouncedSize ?? model.Length}}},
                               {"mediaType":"application/vnd.ollama.image.template","digest":"sha256:{{new string('d', 64)}}","size":1429}]}
                    """, "application/vnd.docker.distribution.manifest.v2+json");
            }
            else if (s.Length == 5 && s[0] == "v2" && s[3] == "blobs" && _files.FirstOrDefault(f => f.Key.Contains(':') && s[4] == "sha256:" + Sha256Hex(f.Value)) is { Key: not null } blob)
            {
                response.StatusCode = 307; // the registry sends blobs from its storage
                response.RedirectLocation = $"/cdn/{s[4].Replace(':', '-')}";
                response.Close();
            }
            else if (s.Length == 2 && s[0] == "cdn" && FindCdnFile(s[1]) is { } bytes)
            {
                await ServeBytes(request, response, bytes);
            }
            else
            {
                await WriteText(response, 404, "Entry not found");
            }
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            // the client went away (a cancelled pull): nothing to do
        }
    }

    private byte[]? FindCdnFile(string name) =>
        name.StartsWith("sha256-", StringComparison.Ordinal)
            ? _files.Values.FirstOrDefault(f => Sha256Hex(f) == name[7..])
            : _files.GetValueOrDefault(name);

    private async Task ServeBytes(HttpListenerRequest request, HttpListenerResponse response, byte[] bytes)
    {
        long from = 0;
        if (!Chunked && !IgnoreRange && request.Headers["Range"] is { } range && range.StartsWith("bytes=", StringComparison.Ordinal) && range.EndsWith('-'))
        {
            from = long.Parse(range[6..^1]);
            if (from >= bytes.Length)
            {
                response.StatusCode = 416;
                response.Headers["Content-Range"] = $"bytes */{bytes.Length}";
                response.Close();
                return;
            }
            response.StatusCode = 206;
            response.Headers["Content-Range"] = $"bytes {from}-{bytes.Length - 1}/{bytes.Length}";
        }
        response.ContentType = "application/octet-stream";
        if (Chunked) response.SendChunked = true;
        else response.ContentLength64 = bytes.Length - from;
        long cut = CutAfter.TryDequeue(out long c) ? c : long.MaxValue;
        var output = response.OutputStream;
        long sent = 0;
        for (long at = from; at < bytes.Length; at += 65536)
        {
            int n = (int)Math.Min(65536, bytes.Length - at);
            if (sent + n > cut)
            {
                int last = (int)(cut - sent);
                await output.WriteAsync(bytes.AsMemory((int)at, last));
                await output.FlushAsync();
                if (StallBeforeCut > TimeSpan.Zero) await Task.Delay(StallBeforeCut);
                response.Abort();
                return;
            }
            await output.WriteAsync(bytes.AsMemory((int)at, n));
            await output.FlushAsync();
            sent += n;
            if (PieceDelay > TimeSpan.Zero) await Task.Delay(PieceDelay);
        }
        response.Close();
    }

    private static async Task WriteText(HttpListenerResponse response, int status, string text, string type = "text/plain")
    {
        byte[] body = Encoding.UTF8.GetBytes(text);
        response.StatusCode = status;
        response.ContentType = type;
        response.ContentLength64 = body.Length;
        await response.OutputStream.WriteAsync(body);
        response.Close();
    }

    /// <summary>A loopback socket bound but not listening: connecting to its port is refused, and no one else can take it.</summary>
    public static Socket ClosedPort()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }

    public static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    public void Dispose()
    {
        _stop.Cancel();
        try { _listener.Stop(); _listener.Close(); } catch (ObjectDisposedException) { }
    }
}
