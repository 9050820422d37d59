using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using EdgeLlm.Config;
using EdgeLlm.Protocol;

namespace EdgeLlm.Commands;

/// <summary>
/// <c>edgellm ask ("QUESTION" | -) [--socket-path PATH] [--system S] [--template T] [--max-tokens N] [sampling] [--stop S]... [--json]
/// [--grammar-file F | --json-schema F | --format json]</c>:
/// asks a running daemon over its Unix socket, streams the answer to stdout and the figures to stderr
/// (<c>--json</c>: prints the final reply line instead). The question comes from stdin when it is <c>-</c>, or missing
/// while stdin is not a terminal. Ctrl+C cancels the request. Exit 0 when the answer ended with stop, length or
/// context, 1 on an error reply, a cancelled/timed-out answer or no daemon, 2 on usage errors.
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
        var a = new ArgReader(args, new HashSet<string> { "json" }, CliAliases.Ask);
        string socketPath = DaemonSocket.PathFrom(a);
        bool json = a.Flag("json");
        var sampling = SamplingArgs.Read(a);
        if (sampling.RepeatLastN is not null)
            throw new CliException("--repeat-last-n is not a request field: the daemon's penalty window applies to ask");
        var request = new ClientRequest
        {
            Id = RequestId,
            System = a.Get("system"),
            Template = a.Get("template"),
            MaxTokens = (int?)a.GetNumber("max-tokens", Config.Fields.MaxTokens),
            Temperature = sampling.Temperature,
            TopK = sampling.TopK,
            TopP = sampling.TopP,
            MinP = sampling.MinP,
            RepeatPenalty = sampling.RepeatPenalty,
            FrequencyPenalty = sampling.FrequencyPenalty,
            PresencePenalty = sampling.PresencePenalty,
            Seed = sampling.Seed,
            Stop = a.GetAll("stop") is { Count: > 0 } stops ? stops : null,
            Stream = !json,
        };
        request = request with { Prompt = Question(a.Positionals) };
        request = WithConstraint(a, request);
        a.RejectUnknown();

        using var socket = DaemonSocket.TryConnect(socketPath, out string problem);
        if (socket is null)
        {
            Console.Error.WriteLine($"error: {problem}");
            return 1;
        }
        using var stream = new NetworkStream(socket, ownsSocket: false);
        stream.Write(ProtocolJson.Line(request));

        int cancelled = 0;
        void Cancel()
        {
            if (Interlocked.Exchange(ref cancelled, 1) == 0)
                stream.Write(ProtocolJson.Line(new ClientRequest { Cancel = RequestId }));
        }
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            return ReadReplies(stream, json, Cancel);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>The one positional question, or stdin for "-" (or none while stdin is a pipe or file).</summary>
    private static string Question(IReadOnlyList<string> positionals)
    {
        if (positionals.Count > 1)
            throw new CliException($"ask takes one question (quote it), got {positionals.Count} words: edgellm ask \"Why is the sky blue?\"");
        bool fromStdin = positionals.Count == 1 ? positionals[0] == "-" : Console.IsInputRedirected;
        if (!fromStdin)
            return positionals.Count == 1 ? positionals[0]
                : throw new CliException("ask needs a question, e.g. edgellm ask \"Why is the sky blue?\" (or - to read it from stdin)");
        string text = Console.In.ReadToEnd().TrimEnd('\n', '\r');
        return text.Trim().Length > 0 ? text : throw new CliException("ask: the question read from stdin is empty");
    }

    private static int ReadReplies(Stream stream, bool json, Action cancel)
    {
        using var reader = new StreamReader(stream, new UTF8Encoding(false, throwOnInvalidBytes: false));
        var stdout = new StandardOutput();
        while (reader.ReadLine() is { } line)
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            if (root.TryGetProperty("token", out var token))
            {
                // Nobody reads the answer any more (| head): stop the daemon generating it.
                if (!stdout.Write(token.GetString() ?? "")) cancel();
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
                    stdout.Write(line + "\n");
                }
                else
                {
                    stdout.Write("\n");
                    Console.Error.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                        $"[{root.GetProperty("prompt_tokens").GetInt32()} prompt tokens ({(root.TryGetProperty("cached_tokens", out var cached) ? cached.GetInt32() : 0)} cached) " +
                        $"at {root.GetProperty("prompt_tps").GetDouble():F1} tok/s, first token at {(root.TryGetProperty("ttft_ms", out var ttft) ? ttft.GetDouble() : 0):F0} ms, " +
                        $"{root.GetProperty("tokens").GetInt32()} tokens at {root.GetProperty("tps").GetDouble():F1} tok/s, finish: {finish}]"));
                }
                return finish is "stop" or "length" or "context" ? 0 : 1;
            }
        }
        Console.Error.WriteLine("error: the daemon closed the connection before the answer was complete");
        return 1;
    }
}
