using EdgeLlm.Commands;
using EdgeLlm.Core.Gguf;

namespace EdgeLlm;

public static class Program
{
    private const string Usage = """
        usage: edgellm <command> [options]

        commands:
          info <model.gguf> [--json]      what a model file holds
          tokenize --model M (--text T | --file F) [--no-bos] [--special] [--json]
          eval --model M --prompt-file F [--n-gen N] [--dump-logits OUT.f32] [--kv-type f16|f32] [--weight-cache D|off] [--json]
          run --model M --prompt P [--template auto|alpaca|chatml|llama2|llama3|mistral|mistral-v1|phi3|qwen3|raw] [--system S] [--think]
              [--temp T] [--top-k K] [--top-p P] [--min-p P] [--repeat-penalty R] [--seed N]
              [--max-tokens N] [--stop S]... [--ctx N] [--threads N] [--kv-type f16|f32] [--weight-cache DIR|off]
          synth --preset NAME --out F.gguf   random-weight model of a real shape; NAME: 7b-q4_0, 7b-q4_k_m, 1b-q4_0, 1b-q4_k_m,
              and llama3.2-1b, llama3.2-3b, llama3.1-8b, qwen2.5-1.5b, qwen3-1.7b, phi3-mini, each with -q4_0 or -q4_k_m
          bench --model F [--threads N] [--pp 64] [--tg 32] [--reps 3] [--weight-cache DIR|off] [--json]
          selftest                        CPU features and kernel/fixture checks
          serve [--config F] [--KEY VALUE]...   the daemon: answers over a Unix socket (see README "Daemon")
              keys (also in /etc/edgellm/edgellm.json and as EDGELLM_KEY): model, context-size, threads, kv-type,
              mlock, weight-cache, template, temperature, top-k, top-p, min-p, repeat-penalty, seed, max-tokens,
              max-answer-tokens, max-prompt-tokens, queue-length, request-timeout, stall-timeout, socket-path,
              socket-mode, socket-group, max-connections, max-line-bytes, log-path, log-level, thermal, thermal-*,
              memory-on-overcommit, memory-floor-mb, prefetch, gpio-*, mqtt-* (all listed in deploy/edgellm.json)
          ask "QUESTION" [--socket PATH] [--system S] [--template T] [--max-tokens N] [--temp T] [--seed N] [--json]
                                          ask a running daemon; streams the answer to stdout, figures to stderr
          status [--socket PATH] [--json]    state, queue, figures and guard states of a running daemon
          pull SOURCE [--sha256 HEX] [--name N] [--force] [--models-dir D]   download a model into the store (README "Getting a model");
              SOURCE: a name from 'pull --list', hf:OWNER/REPO/FILE.gguf, an https URL, or an ollama name such as llama3.2:1b
          list [--models-dir D]           the models in the store
          rm NAME [--models-dir D]        delete a model from the store, with its weight cache
        """;

    public static int Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }

        string[] rest = args[1..];
        try
        {
            return args[0] switch
            {
                "info" => InfoCommand.Run(rest),
                "tokenize" => TokenizeCommand.Run(rest),
                "eval" => EvalCommand.Run(rest),
                "run" => RunCommand.Run(rest),
                "synth" => SynthCommand.Run(rest),
                "bench" => BenchCommand.Run(rest),
                "selftest" => SelftestCommand.Run(rest),
                "serve" => Hosting.ServeCommand.Run(rest),
                "ask" => AskCommand.Run(rest),
                "status" => StatusCommand.Run(rest),
                "pull" => PullCommand.Run(rest),
                "list" => ListCommand.Run(rest),
                "rm" => RmCommand.Run(rest),
                _ => throw new CliException($"unknown command '{args[0]}'\n{Usage}"),
            };
        }
        catch (Exception e) when (e is CliException or GgufException or NotSupportedException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
        catch (Exception e)
        {
            // Last line of defence: a message, never a stack trace.
            Console.Error.WriteLine($"error: internal error ({e.GetType().Name}): {e.Message}");
            return 1;
        }
    }
}
