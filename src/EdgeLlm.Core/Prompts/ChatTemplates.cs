namespace EdgeLlm.Core.Prompts;

/// <summary>Registry of built-in chat templates and detection from a GGUF <c>tokenizer.chat_template</c>.</summary>
public static class ChatTemplates
{
    /// <summary>Name accepted by <see cref="Resolve"/> to mean "detect from the model".</summary>
    public const string Auto = "auto";

    /// <summary>Template used when the model carries no (recognizable) chat template.</summary>
    public const string DefaultFallback = "alpaca";

    public static ChatTemplate Alpaca { get; } = new AlpacaTemplate();
    public static ChatTemplate ChatMl { get; } = new ChatMlTemplate();
    public static ChatTemplate Llama2 { get; } = new Llama2Template();
    public static ChatTemplate Llama3 { get; } = new Llama3Template();
    public static ChatTemplate Mistral { get; } = new MistralTemplate(v1: false);
    public static ChatTemplate MistralV1 { get; } = new MistralTemplate(v1: true);
    public static ChatTemplate Phi3 { get; } = new Phi3Template();
    public static ChatTemplate Qwen3 { get; } = new Qwen3Template();
    public static ChatTemplate Raw { get; } = new RawTemplate();

    /// <summary>Every built-in template, in name order.</summary>
    private static readonly ChatTemplate[] All = [Alpaca, ChatMl, Llama2, Llama3, Mistral, MistralV1, Phi3, Qwen3, Raw];

    private static readonly string[] AllNames = [.. All.Select(t => t.Name)];

    /// <summary>Names of the built-in templates.</summary>
    public static IReadOnlyList<string> Names => AllNames;

    /// <summary>Looks a template up by name (case-insensitive).</summary>
    /// <exception cref="ArgumentException">Unknown name; the message lists the valid ones.</exception>
    public static ChatTemplate Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (TryGet(name, out var template))
            return template;
        string hint = string.Equals(name.Trim(), Auto, StringComparison.OrdinalIgnoreCase)
            ? " ('auto' needs the model's chat template: use ChatTemplates.Resolve or Detect.)"
            : "";
        throw new ArgumentException(
            $"Unknown chat template '{name}'. Valid names: {string.Join(", ", AllNames)}.{hint}", nameof(name));
    }

    public static bool TryGet(string? name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ChatTemplate? template)
    {
        string key = name?.Trim() ?? "";
        foreach (var t in All)
        {
            if (string.Equals(t.Name, key, StringComparison.OrdinalIgnoreCase))
            {
                template = t;
                return true;
            }
        }
        template = null;
        return false;
    }

    /// <summary><paramref name="name"/> = <c>auto</c> → <see cref="Detect"/>; otherwise <see cref="Get"/>.</summary>
    public static ChatTemplate Resolve(string name, string? ggufChatTemplate, string fallback = DefaultFallback)
    {
        ArgumentNullException.ThrowIfNull(name);
        return string.Equals(name.Trim(), Auto, StringComparison.OrdinalIgnoreCase)
            ? Detect(ggufChatTemplate, fallback)
            : Get(name);
    }

    /// <summary>
    /// Picks a built-in template from the jinja source stored in the GGUF (<c>tokenizer.chat_template</c>) by
    /// fingerprint, in the spirit of llama.cpp's <c>llm_chat_detect_template</c> (not a jinja interpreter):
    /// <list type="bullet">
    /// <item>the text is itself a template name → that template;</item>
    /// <item><c>&lt;|im_start|&gt;</c> with <c>&lt;think&gt;</c> or <c>enable_thinking</c> → qwen3; other <c>&lt;|im_start|&gt;</c> → chatml
    /// (Qwen2/2.5, SmolLM2, Hermes);</item>
    /// <item><c>&lt;|assistant|&gt;</c> with <c>&lt;|end|&gt;</c> → phi3;</item>
    /// <item><c>&lt;|start_header_id|&gt;</c> (or <c>&lt;|eot_id|&gt;</c>) → llama3;</item>
    /// <item><c>[INST]</c> with <c>&lt;&lt;SYS&gt;&gt;</c> → llama2;</item>
    /// <item><c>[INST]</c> with <c>' [/INST]'</c>-style spacing or a leading <c>' [INST] '</c> → mistral-v1; other <c>[INST]</c> → mistral;</item>
    /// <item><c>### Instruction</c> → alpaca;</item>
    /// <item>absent or unrecognized → <paramref name="fallback"/>: alpaca by default, which suits instruction-tuned
    /// Llama-1 / Alpaca-style files that ship no template; pass <c>raw</c> for base models.</item>
    /// </list>
    /// </summary>
    public static ChatTemplate Detect(string? ggufChatTemplate, string fallback = DefaultFallback)
    {
        if (string.IsNullOrWhiteSpace(ggufChatTemplate))
            return Get(fallback);
        string t = ggufChatTemplate;
        if (TryGet(t, out var named))
            return named;

        bool Has(string s) => t.Contains(s, StringComparison.Ordinal);

        if (Has("<|im_start|>"))
            return Has("<think>") || Has("enable_thinking") ? Qwen3 : ChatMl;
        if (Has("<|assistant|>") && Has("<|end|>"))
            return Phi3;
        if (Has("<|start_header_id|>") || Has("<|eot_id|>"))
            return Llama3;
        if (Has("[INST]"))
        {
            if (Has("<<SYS>>"))
                return Llama2;
            if (Has(" [/INST]") || Has("' [INST] '") || Has("\" [INST] \""))
                return MistralV1;
            return Mistral;
        }
        if (Has("### Instruction"))
            return Alpaca;
        return Get(fallback);
    }
}
