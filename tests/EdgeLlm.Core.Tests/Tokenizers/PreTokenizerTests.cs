using System.Text;
using System.Text.RegularExpressions;
using EdgeLlm.Core.Gguf;
using EdgeLlm.Core.Tokenizers;

namespace EdgeLlm.Core.Tests.Tokenizers;

/// <summary>
/// The hand-written splitters against the regexes they stand for, run by .NET's regex engine (which
/// agrees with the reference on \s, \p{L} and \p{N} for BMP text). No fixture vocabulary uses the Llama 3,
/// Qwen 2, SmolLM or default rules, so this is their main check.
/// </summary>
public class PreTokenizerTests
{
    private const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";
    private const string Llama3Pattern = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
    private const string Qwen2Pattern = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    public static TheoryData<string> Samples()
    {
        string[] ours =
        [
            "Hello\n\n  world", "x  \n\n y", "it'S we'Ll they'RE 'm 'D", "12345 6789a 1 22 333 4444",
            " \u00A0 nbsp\u2003em", "tab\there\t\t", "a\r\nb\r\n\r\nc", "(hello) [world] {x}", " !!!\n\n", "¡Hola! ¿Qué tal?",
            "   ", " ", "\n", "a", "'", "' ", "'x", "3.14", "x\u0301y\u0300", "Ⅻ ½ ²", "\u200Bzero\u200Bwidth", "\u0085next",
            "line\u2028sep", "Üben über Ölfässer", "ελληνικά κείμενο", "日本語、中文。", "$100 + €5 = ~£4",
        ];
        // Each text once: llama.cpp's vectors repeat some of ours, and xunit skips (and warns about) duplicate cases.
        var data = new TheoryData<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string text in ours.Concat(VocabTestVectors.Load("ggml-vocab-gpt-2.gguf").Select(v => v.Text)))
            if (!text.Any(char.IsSurrogate) && seen.Add(text)) data.Add(text);
        return data;
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Gpt2_rule_matches_its_regex(string text) => AssertSameSplit("gpt-2", text, RegexSplit(Gpt2Pattern, text));

    [Theory]
    [MemberData(nameof(Samples))]
    public void Llama3_rule_matches_its_regex(string text) => AssertSameSplit("llama-bpe", text, RegexSplit(Llama3Pattern, text));

    [Theory]
    [MemberData(nameof(Samples))]
    public void Qwen2_rule_matches_its_regex(string text) => AssertSameSplit("qwen2", text, RegexSplit(Qwen2Pattern, text));

    [Theory]
    [MemberData(nameof(Samples))]
    public void SmolLm_splits_digits_then_applies_gpt2(string text) =>
        AssertSameSplit("smollm", text, RegexSplit(@"\p{N}", text).SelectMany(piece => RegexSplit(Gpt2Pattern, piece)).ToList());

    [Theory]
    [MemberData(nameof(Samples))]
    public void Default_applies_its_four_rules_in_turn(string text)
    {
        IEnumerable<string> pieces = [text];
        foreach (string pattern in new[] { @"[\p{P}\$\+<=>\^~\|]+", Gpt2Pattern, @"\p{N}+", "[0-9][0-9][0-9]" })
            pieces = pieces.SelectMany(piece => RegexSplit(pattern, piece)).ToList();
        AssertSameSplit("default", text, [.. pieces]);
    }

    [Fact]
    public void Astral_letters_count_as_letters()
    {
        // .NET's regex sees surrogate halves here, so this one is checked by hand: U+1D400 is a letter.
        Assert.Equal(["a𝐀b", " 𝐀"], Split("gpt-2", "a𝐀b 𝐀"));
        Assert.Equal(["🦙.", "cpp"], Split("gpt-2", "🦙.cpp")); // a symbol and punctuation share a run
    }

    [Fact]
    public void Unsupported_and_unknown_names_are_refused()
    {
        Assert.Contains("'tekken'", Assert.Throws<GgufException>(() => PreTokenizer.ForName("tekken")).Message);
        Assert.Contains("'nope'", Assert.Throws<GgufException>(() => PreTokenizer.ForName("nope")).Message);
        Assert.Equal("default", PreTokenizer.ForName(null).Name);
    }

    private static void AssertSameSplit(string pre, string text, List<string> expected)
    {
        var actual = Split(pre, text);
        Assert.True(expected.SequenceEqual(actual),
            $"{pre} on {Show(text)}\nexpected {string.Join(" | ", expected.Select(Show))}\nactual   {string.Join(" | ", actual.Select(Show))}");
    }

    private static List<string> Split(string pre, string text)
    {
        int[] cps = [.. text.EnumerateRunes().Select(r => r.Value)];
        var words = new List<int>();
        PreTokenizer.ForName(pre).Split(cps, words);
        var result = new List<string>();
        int at = 0;
        foreach (int n in words)
        {
            var sb = new StringBuilder();
            for (int i = at; i < at + n; i++) sb.Append(char.ConvertFromUtf32(cps[i]));
            result.Add(sb.ToString());
            at += n;
        }
        return result;
    }

    /// <summary>Matches and the text between them, in order, as the reference's regex splitting keeps both.</summary>
    private static List<string> RegexSplit(string pattern, string text)
    {
        var pieces = new List<string>();
        int last = 0;
        foreach (Match m in Regex.Matches(text, pattern, RegexOptions.CultureInvariant))
        {
            if (m.Index > last) pieces.Add(text[last..m.Index]);
            if (m.Length > 0) pieces.Add(m.Value);
            last = m.Index + m.Length;
        }
        if (last < text.Length) pieces.Add(text[last..]);
        return pieces;
    }

    private static string Show(string s) => System.Text.Json.JsonSerializer.Serialize(s);
}
