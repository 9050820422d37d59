using System.Diagnostics;
using System.Text;
using EdgeLlm.Core.Tokenizers;
using Xunit.Abstractions;

namespace EdgeLlm.Core.Tests.Tokenizers;

/// <summary>Guards against quadratic behaviour, not a benchmark: the bounds are ~50x what a 2-core machine needs.</summary>
public class PerformanceTests(ITestOutputHelper output)
{
    public static TheoryData<string> Vocabularies() => ["llama-spm", "gpt-2"];

    [Theory]
    [MemberData(nameof(Vocabularies))]
    public void Encoding_a_few_thousand_characters_takes_milliseconds(string vocab)
    {
        var tok = vocab == "gpt-2" ? TokenizerFixtures.Gpt2 : TokenizerFixtures.LlamaSpm;
        string text = SampleText(4000);
        tok.Encode(text, addBos: true, parseSpecial: true); // warm-up (JIT)

        var ids = new List<int>();
        var sw = Stopwatch.StartNew();
        const int rounds = 20;
        for (int i = 0; i < rounds; i++)
        {
            ids.Clear();
            tok.Encode(text, ids, addBos: true, parseSpecial: true);
        }
        double ms = sw.Elapsed.TotalMilliseconds / rounds;
        output.WriteLine($"{vocab}: {text.Length} chars -> {ids.Count} tokens in {ms:F2} ms");
        Assert.True(ms < 100, $"{ms:F1} ms per encode");
    }

    [Theory]
    [MemberData(nameof(Vocabularies))]
    public void A_long_run_without_spaces_is_not_quadratic(string vocab)
    {
        var tok = vocab == "gpt-2" ? TokenizerFixtures.Gpt2 : TokenizerFixtures.LlamaSpm;
        string text = string.Concat(Enumerable.Repeat("abcdefghij", 2000));
        var sw = Stopwatch.StartNew();
        int[] ids = tok.Encode(text, addBos: false, parseSpecial: false);
        output.WriteLine($"{vocab}: {text.Length} chars without spaces -> {ids.Length} tokens in {sw.Elapsed.TotalMilliseconds:F2} ms");
        Assert.True(sw.Elapsed.TotalMilliseconds < 1000);
    }

    private static string SampleText(int length)
    {
        var sb = new StringBuilder();
        string[] parts =
        [
            "Once upon a time, there was a little robot who wanted to see the sea. ",
            "Il était une fois un élève très curieux. ",
            "我想在apple工作1314151天～ ",
            "Numbers like 3.14159 and 2718281828; emoji 🦙🚀. ",
            "\n\n### Instruction:\nWrite a poem about the moon.\n",
        ];
        for (int i = 0; sb.Length < length; i++) sb.Append(parts[i % parts.Length]);
        return sb.ToString(0, length);
    }
}
