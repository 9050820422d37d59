namespace EdgeLlm.Commands;

/// <summary>
/// Other spellings of options, per command: llama.cpp's short flags where they mean the same thing, and
/// <c>--socket</c> kept for <c>--socket-path</c> (the one name every command uses).
/// </summary>
internal static class CliAliases
{
    public static readonly IReadOnlyDictionary<string, string> None = new Dictionary<string, string>();

    /// <summary>run and eval: llama-cli's -m, -p, -f, -n, -t, -c, -s.</summary>
    public static readonly IReadOnlyDictionary<string, string> Run = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["-m"] = "model", ["-p"] = "prompt", ["-f"] = "prompt-file", ["--file"] = "prompt-file",
        ["-n"] = "max-tokens", ["--n-predict"] = "max-tokens", ["-t"] = "threads", ["-c"] = "ctx", ["--ctx-size"] = "ctx",
        ["-s"] = "seed", ["--temperature"] = "temp",
    };

    public static readonly IReadOnlyDictionary<string, string> Eval = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["-m"] = "model", ["-f"] = "prompt-file", ["--file"] = "prompt-file", ["-n"] = "n-gen", ["--n-predict"] = "n-gen",
        ["-t"] = "threads", ["-c"] = "ctx", ["--ctx-size"] = "ctx", ["-b"] = "batch", ["--batch-size"] = "batch",
    };

    /// <summary>tokenize: llama-tokenize's -m, -p (the text), -f.</summary>
    public static readonly IReadOnlyDictionary<string, string> Tokenize = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["-m"] = "model", ["-p"] = "text", ["--prompt"] = "text", ["-f"] = "file",
    };

    /// <summary>bench: llama-bench's -m, -t, -p (prompt tokens), -n (generated tokens), -r.</summary>
    public static readonly IReadOnlyDictionary<string, string> Bench = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["-m"] = "model", ["-t"] = "threads", ["-p"] = "pp", ["-n"] = "tg", ["-r"] = "reps",
    };

    public static readonly IReadOnlyDictionary<string, string> Ask = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["--socket"] = "socket-path", ["-n"] = "max-tokens", ["--n-predict"] = "max-tokens", ["-s"] = "seed", ["--temperature"] = "temp",
    };

    public static readonly IReadOnlyDictionary<string, string> Status = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["--socket"] = "socket-path",
    };

    /// <summary>serve: llama-server's -m, -c, -t, -s, -n; every other option is a config key.</summary>
    public static readonly IReadOnlyDictionary<string, string> Serve = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["--socket"] = "socket-path", ["-m"] = "model", ["-c"] = "context-size", ["--ctx-size"] = "context-size", ["--ctx"] = "context-size",
        ["-t"] = "threads", ["-s"] = "seed", ["-n"] = "max-tokens", ["--temp"] = "temperature",
    };
}
