using System.Reflection;
using EdgeLlm.Core.Prompts;

namespace EdgeLlm.Commands;

/// <summary>The usage text of every command (<c>edgellm CMD --help</c>) and of <c>edgellm --version</c>.</summary>
internal static class CommandHelp
{
    private static string Templates => $"auto|{string.Join('|', ChatTemplates.Names)}";

    private const string Sampling =
        "[--temp T] [--top-k K] [--top-p P] [--min-p P] [--repeat-penalty R] [--repeat-last-n N]\n" +
        "      [--frequency-penalty F] [--presence-penalty P] [-s|--seed N]";

    public static readonly IReadOnlyList<string> Commands = ["info", "tokenize", "eval", "run", "synth", "bench", "selftest", "serve", "ask", "status", "pull", "list", "rm"];

    /// <summary>Usage of one command; null for an unknown command.</summary>
    public static string? For(string command) => command switch
    {
        "info" => "edgellm info <model.gguf> [--json]\n  what a model file holds, without loading the weights",
        "tokenize" => "edgellm tokenize -m|--model M (-p|--text T | -f|--file F) [--no-bos] [--special] [--json]\n" +
            "  token ids of a text; --special lets control-token text become control tokens",
        "eval" => "edgellm eval -m|--model M -f|--prompt-file F [-n|--n-gen N] [--dump-logits OUT.f32] [-c|--ctx N] [-t|--threads auto|N]\n" +
            "      [-b|--batch N] [--kv-type f16|f32] [--weight-cache DIR|off] [--json]\n" +
            "  parity harness: the prompt in batches of -b tokens (default 32), then N greedy tokens; float32 logits of every position",
        "run" => $"edgellm run -m|--model M (-p|--prompt P | -f|--prompt-file F) [--template {Templates}]\n" +
            $"      [--system S] [--input I] [--think] {Sampling}\n" +
            "      [-n|--max-tokens N] [--stop S]... [-c|--ctx N] [-t|--threads auto|N] [--kv-type f16|f32] [--weight-cache DIR|off]\n" +
            "      [--grammar-file F.gbnf | --json-schema F.json | --format json]\n" +
            "  answers one prompt standalone: the answer streams to stdout, figures to stderr; --think lets a thinking\n" +
            "  model (Qwen3) think first",
        "synth" => "edgellm synth --preset NAME --out F.gguf [--seed N] [--vocab V.gguf]\n  writes a random-weight model of a real shape (--vocab: with that file's tokenizer); NAME: " +
            string.Join(", ", Bench.SyntheticPreset.All.Select(p => p.Name)),
        "bench" => "edgellm bench -m|--model F [-t|--threads auto|N] [-p|--pp 64] [-n|--tg 32] [-r|--reps 3] [--weight-cache DIR|off]\n" +
            "      [--thermal-sensor PATH] [--json]\n" +
            "edgellm bench --kernels\n" +
            "edgellm bench --grammar json|F.gbnf (-m|--model F [-t|--threads auto|N] | --vocab F) [--tg 128] [--reps 3]\n" +
            "edgellm bench --transports -m|--model F [-t|--threads auto|N] [--tg 64] [--reps 5] [--prompt TEXT]\n" +
            "edgellm bench --prompt-cache -m|--model F [--system-tokens 1500] [-t|--threads auto|N] [--weight-cache DIR|off]\n" +
            "  prompt and generation tok/s, memory read bandwidth, generation efficiency; --kernels: per-kernel throughput;\n" +
            "  --grammar: generation speed with and without a grammar; --transports: streaming over HTTP against the socket;\n" +
            "  --prompt-cache: time to the first token of two long system prompts alternating, then after a restart",
        "selftest" => "edgellm selftest [--fixtures DIR]\n" +
            "  CPU features and kernels in use, then every built-in check; the fixture checks run when the fixtures\n" +
            "  are found (--fixtures DIR, EDGELLM_FIXTURES, or shared/fixtures beside the working directory)",
        "serve" => "edgellm serve [--config F] [--KEY VALUE]...\n" +
            "  the daemon: answers over a Unix socket and MQTT (README, \"Daemon\"). Keys, also in /etc/edgellm/edgellm.json\n" +
            "  and as EDGELLM_KEY; short forms -m (model), -c (context-size), -t (threads), -s (seed), -n (max-tokens),\n" +
            "  --socket (socket-path):\n" +
            string.Concat(Config.ConfigLoader.Keys.Select(k => $"    --{k.Key.Replace('_', '-'),-28} {k.Help}\n")).TrimEnd('\n'),
        "ask" => $"edgellm ask (\"QUESTION\" | - ) [--socket-path PATH] [--system S] [--template {Templates}]\n" +
            $"      [-n|--max-tokens N] {Sampling} [--stop S]... [--grammar-file F.gbnf | --json-schema F.json | --format json] [--json]\n" +
            "  asks a running daemon; streams the answer to stdout, figures to stderr. The question is read from stdin\n" +
            "  when it is '-' or missing with stdin not a terminal. --socket is the same as --socket-path.",
        "status" => "edgellm status [--socket-path PATH] [--json]\n  state, queue, figures and guard states of a running daemon",
        "pull" => "edgellm pull SOURCE [--sha256 HEX] [--name N] [--force] [--models-dir D]\n" +
            "edgellm pull --list\n" +
            "  downloads a model into the store (README, \"Getting a model\"): resumable, sha256-verified, checked as info\n" +
            "  does; SOURCE: a name from pull --list, hf:OWNER/REPO/FILE.gguf, an https URL, or an ollama name (llama3.2:1b)",
        "list" => "edgellm list [--models-dir D]\n  the models in the store: name, size, architecture, quant type, date; incomplete downloads",
        "rm" => "edgellm rm NAME [--models-dir D] [--weight-cache DIR]\n  deletes a model from the store with its interleaved weight cache and any partial download",
        _ => null,
    };

    public static string Overview =>
        "usage: edgellm <command> [options]      edgellm <command> --help: that command's options\n" +
        "       edgellm --version\n\ncommands:\n" +
        string.Concat(Commands.Select(c => $"  {For(c)!.Split('\n')[0]["edgellm ".Length..]}\n"));

    /// <summary>"edgellm 1.0.0 (commit abc1234, built for x86-64-v3, kernels avx2)".</summary>
    public static string Version()
    {
        var assembly = typeof(CommandHelp).Assembly;
        string informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
        int plus = informational.IndexOf('+');
        string version = plus > 0 ? informational[..plus] : informational;
        string commit = plus > 0 ? informational[(plus + 1)..] : "unknown";
        string isa = assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "BuildIsa")?.Value is { Length: > 0 } i
            ? i : "the runtime's default";
        return $"edgellm {version} (commit {commit[..Math.Min(12, commit.Length)]}, built for {isa}, " +
            $"{System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant()}, kernels {Core.Tensors.CpuFeatures.KernelIsa})";
    }

    /// <summary>True when the arguments ask for help: --help or -h anywhere.</summary>
    public static bool Asked(IEnumerable<string> args) => args.Any(a => a is "--help" or "-h");
}
