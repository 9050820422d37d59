using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using EdgeLlm.Config;
using EdgeLlm.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeLlm.Bench;

/// <summary>
/// What streaming over HTTP costs against the Unix socket: the daemon runs in this process with both transports, and the
/// same greedy request (raw prompt, same seed, same length) goes alternately over the socket and over ollama's
/// <c>/api/generate</c>, measured by the client as a user sees it: time to the first piece, and pieces per second from
/// the first piece to the final reply. Alternating rounds put both transports under the same machine noise.
/// </summary>
internal static class TransportBench
{
    public sealed record Result(string Transport, double FirstPieceMs, double PiecesPerSecond, int Tokens);

    public sealed record Report(IReadOnlyList<Result> Socket, IReadOnlyList<Result> Http)
    {
        public double MedianRateRatio => Median(Http, r => r.PiecesPerSecond) / Median(Socket, r => r.PiecesPerSecond);
        public double MedianFirstPieceDeltaMs => Median(Http, r => r.FirstPieceMs) - Median(Socket, r => r.FirstPieceMs);

        public static double Median(IReadOnlyList<Result> results, Func<Result, double> value)
        {
            var sorted = results.Select(value).Order().ToArray();
            return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        }
    }

    public static async Task<Report> RunAsync(string model, int threads, int tokens, int rounds, string prompt, string? weightCache, Action<string>? progress)
    {
        string dir = Directory.CreateTempSubdirectory("edgellm-transport-bench-").FullName;
        var config = new EdgeLlmConfig
        {
            ModelPath = model,
            Threads = threads,
            Template = "raw",
            SocketPath = Path.Combine(dir, "edgellm.sock"),
            MaxTokens = tokens,
            MaxAnswerTokens = Math.Max(tokens, 1024),
            WeightCacheDirectory = weightCache,
            LogLevel = LogLevel.Error, // a missing thermal sensor on a dev machine is not news here
            Http = new Http.HttpSettings
            {
                Listen = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0),
                ModelName = "bench",
                ModelPath = model,
                ModelsDirectory = Path.Combine(dir, "models"),
            },
        };
        using var host = DaemonHost.Build(config);
        await host.StartAsync().ConfigureAwait(false);
        try
        {
            var http = host.Services.GetRequiredService<Http.HttpService>().BoundEndPoint!;
            using var client = new HttpClient { BaseAddress = new Uri($"http://{http}/"), Timeout = TimeSpan.FromMinutes(30) };
            var socket = new List<Result>();
            var overHttp = new List<Result>();
            // One unmeasured request each warms the code paths (and leaves the same reusable prompt in the KV cache).
            await OverSocketAsync(config.SocketPath, prompt, tokens).ConfigureAwait(false);
            await OverHttpAsync(client, prompt, tokens).ConfigureAwait(false);
            for (int round = 0; round < rounds; round++)
            {
                // Alternate which goes first, so neither always follows the other.
                Result overSocket, viaHttp;
                if (round % 2 == 0)
                {
                    overSocket = await OverSocketAsync(config.SocketPath, prompt, tokens).ConfigureAwait(false);
                    viaHttp = await OverHttpAsync(client, prompt, tokens).ConfigureAwait(false);
                }
                else
                {
                    viaHttp = await OverHttpAsync(client, prompt, tokens).ConfigureAwait(false);
                    overSocket = await OverSocketAsync(config.SocketPath, prompt, tokens).ConfigureAwait(false);
                }
                socket.Add(overSocket);
                overHttp.Add(viaHttp);
                progress?.Invoke($"round {round + 1}: socket {overSocket.PiecesPerSecond:F2} pieces/s, first {overSocket.FirstPieceMs:F0} ms; " +
                    $"http {viaHttp.PiecesPerSecond:F2} pieces/s, first {viaHttp.FirstPieceMs:F0} ms");
            }
            return new Report(socket, overHttp);
        }
        finally
        {
            await host.StopAsync().ConfigureAwait(false);
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task<Result> OverSocketAsync(string path, string prompt, int tokens)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path)).ConfigureAwait(false);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        string request = JsonSerializer.Serialize(new BenchSocketRequest("b", prompt, tokens, 0f, 1, true), BenchJson.Default.BenchSocketRequest);
        var clock = Stopwatch.StartNew();
        await stream.WriteAsync(Encoding.UTF8.GetBytes(request + "\n")).ConfigureAwait(false);
        double first = -1, last = 0;
        int pieces = 0, count = 0;
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            if (root.TryGetProperty("error", out var error)) throw new InvalidOperationException($"socket: {error}");
            if (root.TryGetProperty("token", out _))
            {
                if (first < 0) first = clock.Elapsed.TotalMilliseconds;
                last = clock.Elapsed.TotalMilliseconds;
                pieces++;
            }
            if (root.TryGetProperty("done", out _))
            {
                count = root.GetProperty("tokens").GetInt32();
                break;
            }
        }
        return Measured("socket", first, last, pieces, count);
    }

    private static async Task<Result> OverHttpAsync(HttpClient client, string prompt, int tokens)
    {
        string body = JsonSerializer.Serialize(new BenchHttpRequest("bench", prompt, true, true, new BenchHttpOptions(0f, 1, tokens)), BenchJson.Default.BenchHttpRequest);
        var clock = Stopwatch.StartNew();
        using var message = new HttpRequestMessage(HttpMethod.Post, "api/generate") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        using var response = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync().ConfigureAwait(false), Encoding.UTF8);
        double first = -1, last = 0;
        int pieces = 0, count = 0;
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            if (root.TryGetProperty("error", out var error)) throw new InvalidOperationException($"http: {error}");
            if (root.GetProperty("done").GetBoolean())
            {
                count = root.GetProperty("eval_count").GetInt32();
                break;
            }
            if (root.GetProperty("response").GetString() is { Length: > 0 })
            {
                if (first < 0) first = clock.Elapsed.TotalMilliseconds;
                last = clock.Elapsed.TotalMilliseconds;
                pieces++;
            }
        }
        return Measured("http", first, last, pieces, count);
    }

    private static Result Measured(string transport, double first, double last, int pieces, int tokens)
    {
        if (pieces < 2) throw new InvalidOperationException($"{transport}: the model answered {pieces} piece(s); a rate needs at least two (try another --prompt or model)");
        return new Result(transport, first, (pieces - 1) / ((last - first) / 1000.0), tokens);
    }
}

internal sealed record BenchSocketRequest(string Id, string Prompt, int MaxTokens, float Temperature, ulong Seed, bool Stream);

internal sealed record BenchHttpOptions(float Temperature, ulong Seed, int NumPredict);

internal sealed record BenchHttpRequest(string Model, string Prompt, bool Raw, bool Stream, BenchHttpOptions Options);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.SnakeCaseLower)]
[System.Text.Json.Serialization.JsonSerializable(typeof(BenchSocketRequest))]
[System.Text.Json.Serialization.JsonSerializable(typeof(BenchHttpRequest))]
internal sealed partial class BenchJson : System.Text.Json.Serialization.JsonSerializerContext;
