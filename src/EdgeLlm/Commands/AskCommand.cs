using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using EdgeLlm.Config;
using EdgeLlm.Protocol;

namespace EdgeLlm.Commands;

/// <summary>
/// <c>edgellm ask "QUESTION" [--socket PATH] [--system S] [--template T] [--max-tokens N] [--temp T] [--seed N] [--json]
/// [--grammar-file F | --json-schema F | --format json]</c>:
/// asks a running daemon over its Unix socket, streams the answer to stdout and the figures to stderr
/// (<c>--json</c>: prints the final reply line instead). Ctrl+C cancels the request. Exit 0 when the answer ended
/// with stop or length, 1 on an error reply, a cancelled/timed-out answer or no daemon, 2 on usage errors.
/// </summary>
internal static class AskCommand
{
    private const string RequestId = "ask";

    /// <summary><c>--grammar-file F</c>, <c>--json-schema F</c> or <c>--format json</c>: sent as they are; the daemon checks them.</summary>
    private static ClientRequest WithConstraint(ArgReader a, ClientRequest request)
    {
        string? grammarFile = a.Get("grammar-file"), schemaFile = a.Get("json-schema"), format = a.Get("format");
        if (format is not null && format != "json") throw new CliException($"--format must be 'json' (or use --json-schema F), got '{format}'");
        if (schemaFile is null) return request with { Grammar = grammarFile is null ? null : InputFiles.ReadUtf8(grammarFile), Format = format };
        try
        {
            using var doc = JsonDocument.Parse(InputFiles.ReadUtf8(schemaFile));
            return request with { JsonSchema = doc.RootElement.Clone(), Grammar = grammarFile is null ? null : InputFiles.ReadUtf8(grammarFile), Format = format };
        }
        catch (JsonException e)
        {
            throw new CliException($"'{schemaFile}' is not valid JSON: {e.Message}");
        }
    }

    public static int Run(string[] args)
    {
        var a = new ArgReader(args, new HashSet<string> { "json" });
        string socketPath = a.Get("socket") ?? Environment.GetEnvironmentVariable(ConfigLoader.EnvName("socket_path")) ?? EdgeLlmConfig.DefaultSocketPath;
        bool json = a.Flag("json");
        string? seed = a.Get("seed");
        var request = new ClientRequest
        {
            Id = RequestId,
            System = a.Get("system"),
            Template = a.Get("template"),
            MaxTokens = a.Get("max-tokens") is null ? null : a.GetInt("max-tokens", 0, 0),
            Temperature = a.Get("temp") is null ? null : a.GetFloat("temp", 0, 0, 100),
            Seed = seed is null ? null
                : ulong.TryParse(seed, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out ulong s) ? s
                : throw new CliException($"--seed must be a non-negative integer, got '{seed}'"),
            Stream = !json,
        };
        request = WithConstraint(a, request);
        a.RejectUnknown();
        if (a.Positionals.Count != 1) throw new CliException("ask needs exactly one question, e.g. edgellm ask \"Why is the sky blue?\"");
        request = request with { Prompt = a.Positionals[0] };

        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(socketPath));
        }
        catch (SocketException e)
        {
            Console.Error.WriteLine($"error: no daemon answers on {socketPath} ({e.Message}); is edgellm running? (systemctl status edgellm)");
            return 1;
        }
        using var stream = new NetworkStream(socket, ownsSocket: false);
        stream.Write(ProtocolJson.Line(request));

        int cancelled = 0;
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            if (Interlocked.Exchange(ref cancelled, 1) == 0)
                stream.Write(ProtocolJson.Line(new ClientRequest { Cancel = RequestId }));
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            return ReadReplies(stream, json);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static int ReadReplies(Stream stream, bool json)
    {
        using var reader = new StreamReader(stream, new UTF8Encoding(false, throwOnInvalidBytes: false));
        var stdout = Console.Out;
        while (reader.ReadLine() is { } line)
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            if (root.TryGetProperty("token", out var token))
            {
                stdout.Write(token.GetString());
                stdout.Flush();
            }
            else if (root.TryGetProperty("error", out var error))
            {
                Console.Error.WriteLine($"error: {error.GetProperty("code").GetString()}: {error.GetProperty("message").GetString()}");
                return 1;
            }
            else if (root.TryGetProperty("done", out _))
            {
                string finish = root.GetProperty("finish_reason").GetString() ?? "";
                if (json)
                {
                    stdout.WriteLine(line);
                }
                else
                {
                    stdout.WriteLine();
                    Console.Error.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                        $"[{root.GetProperty("prompt_tokens").GetInt32()} prompt tokens at {root.GetProperty("prompt_tps").GetDouble():F1} tok/s, " +
                        $"{root.GetProperty("tokens").GetInt32()} tokens at {root.GetProperty("tps").GetDouble():F1} tok/s, finish: {finish}]"));
                }
                return finish is "stop" or "length" ? 0 : 1;
            }
        }
        Console.Error.WriteLine("error: the daemon closed the connection before the answer was complete");
        return 1;
    }
}
