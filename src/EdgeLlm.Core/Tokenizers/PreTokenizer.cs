using EdgeLlm.Core.Gguf;

namespace EdgeLlm.Core.Tokenizers;

/// <summary>Splits text into words before byte-level BPE, as selected by GGUF's <c>tokenizer.ggml.pre</c>.</summary>
/// <remarks>
/// A pre-tokenizer is a list of rules applied in turn: each rule re-splits every piece the previous one
/// produced, so later rules can only cut finer. Merges never cross a word boundary, which is why the
/// choice of rules changes the token ids (Llama 3 groups up to three digits, Qwen 2 none, SmolLM splits
/// digits before the GPT-2 rule can attach a space to them).
/// </remarks>
internal sealed class PreTokenizer
{
    private readonly SplitRule[] _rules;

    private PreTokenizer(string name, SplitRule[] rules, bool ignoreMerges = false, bool addBosByDefault = false)
    {
        Name = name;
        _rules = rules;
        IgnoreMerges = ignoreMerges;
        AddBosByDefault = addBosByDefault;
    }

    public string Name { get; }

    /// <summary>A word that is itself a vocabulary token is taken whole, without running the merges (Llama 3).</summary>
    public bool IgnoreMerges { get; }

    /// <summary>Whether BOS is added when the file does not say (<c>tokenizer.ggml.add_bos_token</c> absent).</summary>
    public bool AddBosByDefault { get; }

    private static readonly string[] Unsupported =
        ["deepseek-llm", "deepseek-coder", "deepseek-v3", "poro-chat", "bloom", "gpt3-finnish", "viking", "tekken", "chameleon"];

    /// <summary>The pre-tokenizer for a <c>tokenizer.ggml.pre</c> value; null or "default" is the generic fallback.</summary>
    public static PreTokenizer ForName(string? name) => name switch
    {
        null or "" or "default" => new("default",
            [MatchSplitRule.PunctuationRuns, Gpt2SplitRule.Instance, MatchSplitRule.DigitRuns, MatchSplitRule.AsciiDigitTriples]),
        "llama3" or "llama-v3" or "llama-bpe" or "falcon3" => new(name, [Llama3SplitRule.Llama3], ignoreMerges: true, addBosByDefault: true),
        "dbrx" or "smaug-bpe" or "chatglm-bpe" => new(name, [Llama3SplitRule.Llama3]),
        "qwen2" or "deepseek-r1-qwen" or "megrez" or "stablelm2" => new(name, [Llama3SplitRule.Qwen2]),
        "gpt-2" or "phi-2" or "jina-es" or "jina-de" or "gigachat" or "jina-v1-en" or "jina-v2-es" or "jina-v2-de"
            or "jina-v2-code" or "roberta-bpe" or "mpt" or "olmo" or "jais" => new(name, [Gpt2SplitRule.Instance]),
        "starcoder" or "refact" or "command-r" or "smollm" or "codeshell" or "exaone" or "minerva-7b" =>
            new(name, [MatchSplitRule.EachDigit, Gpt2SplitRule.Instance]),
        "falcon" => new(name, [MatchSplitRule.FalconPunctuationRuns, Gpt2SplitRule.Instance, MatchSplitRule.AsciiDigitTriples]),
        _ when Array.IndexOf(Unsupported, name) >= 0 =>
            throw new GgufException($"pre-tokenizer '{name}' (tokenizer.ggml.pre) is not supported yet"),
        _ => throw new GgufException($"unknown pre-tokenizer '{name}' (tokenizer.ggml.pre)"),
    };

    /// <summary>Replaces <paramref name="words"/> with the lengths, in code points, of the words <paramref name="cps"/> splits into.</summary>
    public void Split(ReadOnlySpan<int> cps, List<int> words)
    {
        words.Clear();
        if (cps.IsEmpty) return;
        words.Add(cps.Length);
        var next = new List<int>();
        foreach (var rule in _rules)
        {
            next.Clear();
            int start = 0;
            foreach (int length in words)
            {
                rule.Split(cps, start, start + length, next);
                start += length;
            }
            words.Clear();
            words.AddRange(next);
        }
    }
}
