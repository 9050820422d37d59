using System.Text;
using EdgeLlm.Core.Tokenizers;
using Xunit.Abstractions;

namespace EdgeLlm.Core.Tests.Tokenizers;

/// <summary>
/// Guards against quadratic behaviour, not a benchmark (speed is measured by `edgellm bench`): encoding 8x the
/// text costs 8x the time when linear and 64x when quadratic; the bound sits at 24x, far from both. Time is this
/// thread's CPU time (CLOCK_THREAD_CPUTIME_ID), not wall time: on a loaded 2-core machine a 30 ms run is preempted
/// several times and wall time made this test fail at 50x. Each size still takes its best of several runs.
/// </summary>
[Collection("timing")]
public class PerformanceTests(ITestOutputHelper output)
{
    public static TheoryData<string> Vocabularies() => ["llama-spm", "gpt-2"];

    private static double BestMilliseconds(Action action, int runs = 7)
    {
        double best = double.MaxValue;
        for (int i = 0; i < runs; i++)
        {
            double start = ThreadCpuMilliseconds();
            action();
            best = Math.Min(best, ThreadCpuMilliseconds() - start);
        }
        return best;
    }

    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    private static double ThreadCpuMilliseconds()
    {
        const int ThreadCpuTimeClock = 3; // CLOCK_THREAD_CPUTIME_ID
        if (ClockGetTime(ThreadCpuTimeClock, out var t) != 0) throw new InvalidOperationException("clock_gettime failed");
        return t.Seconds * 1e3 + t.Nanoseconds / 1e6;
    }

    private void AssertRoughlyLinear(string what, Func<int, string> makeText, Tokenizer tok, bool parseSpecial)
    {
        string small = makeText(4000), large = makeText(32000);
        tok.Encode(small, addBos: true, parseSpecial); // warm-up (JIT)
        double tSmall = BestMilliseconds(() => tok.Encode(small, addBos: true, parseSpecial));
        double tLarge = BestMilliseconds(() => tok.Encode(large, addBos: true, parseSpecial));
        double ratio = tLarge / Math.Max(tSmall, 0.05);
        output.WriteLine($"{what}: 4000 chars {tSmall:F2} ms, 32000 chars {tLarge:F2} ms, ratio {ratio:F1}");
        Assert.True(ratio < 24, $"{what}: 8x the text took {ratio:F1}x the time (linear would be 8x, quadratic 64x)");
    }

    [Theory]
    [MemberData(nameof(Vocabularies))]
    public void Encoding_time_grows_linearly_with_text(string vocab) =>
        AssertRoughlyLinear(vocab, SampleText, vocab == "gpt-2" ? TokenizerFixtures.Gpt2 : TokenizerFixtures.LlamaSpm, parseSpecial: true);

    [Theory]
    [MemberData(nameof(Vocabularies))]
    public void A_long_run_without_spaces_is_not_quadratic(string vocab) =>
        AssertRoughlyLinear(vocab + " without spaces", n => string.Concat(Enumerable.Repeat("abcdefghij", n / 10)),
            vocab == "gpt-2" ? TokenizerFixtures.Gpt2 : TokenizerFixtures.LlamaSpm, parseSpecial: false);

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

/// <summary>Timing-sensitive tests run alone, after the parallel ones, so other tests' threads do not skew them.</summary>
[CollectionDefinition("timing", DisableParallelization = true)]
public sealed class TimingCollection;
