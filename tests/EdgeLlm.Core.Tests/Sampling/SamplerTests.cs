using EdgeLlm.Core.Sampling;

namespace EdgeLlm.Core.Tests.Sampling;

public class SamplerTests
{
    private static SamplingOptions Plain(float temperature = 1f, ulong seed = 1) => new()
    {
        Temperature = temperature,
        TopK = 0,
        TopP = 1f,
        MinP = 0f,
        RepeatPenalty = 1f,
        PenaltyWindow = 0,
        Seed = seed,
    };

    private static float[] RandomLogits(int n, int seed)
    {
        var rng = new Random(seed);
        var l = new float[n];
        for (int i = 0; i < n; i++)
            l[i] = (float)(rng.NextDouble() * 20 - 10);
        return l;
    }

    [Fact]
    public void Greedy_is_argmax_with_ties_to_lowest_id()
    {
        var s = new Sampler(SamplingOptions.Greedy, 6);
        Assert.Equal(3, s.Sample(new float[] { 1, 2, 0, 5, -1, 4 }));
        Assert.Equal(1, s.Sample(new float[] { 1, 7, 0, 7, -1, 7 }));
        Assert.Equal(0, s.Sample(new float[] { float.NegativeInfinity, float.NegativeInfinity, float.NegativeInfinity, float.NegativeInfinity, float.NegativeInfinity, float.NegativeInfinity }));
        Assert.Equal(2, s.Sample(new float[] { float.NaN, 1, 3, float.NaN, 2, 0 }));
    }

    [Fact]
    public void Greedy_applies_penalties_first()
    {
        var s = new Sampler(new SamplingOptions { Temperature = 0, RepeatPenalty = 2f, PenaltyWindow = 8 }, 4);
        s.Accept(0);
        // token 0: 3 / 2 = 1.5 < 2 → token 1 wins
        Assert.Equal(1, s.Sample(new float[] { 3, 2, 0, 1 }));
    }

    [Theory]
    [InlineData(0.1f)]
    [InlineData(1f)]
    [InlineData(5f)]
    [InlineData(100f)]
    public void Top_k_1_equals_greedy_at_any_temperature(float temperature)
    {
        var logits = RandomLogits(32000, 7);
        int expected = new Sampler(SamplingOptions.Greedy, logits.Length).Sample((float[])logits.Clone());
        var s = new Sampler(new SamplingOptions { Temperature = temperature, TopK = 1, Seed = 3 }, logits.Length);
        for (int i = 0; i < 20; i++)
            Assert.Equal(expected, s.Sample((float[])logits.Clone()));
    }

    private static int[] Run(SamplingOptions o, int steps, int vocab = 1000)
    {
        var s = new Sampler(o, vocab);
        var result = new int[steps];
        for (int i = 0; i < steps; i++)
        {
            var logits = RandomLogits(vocab, 100 + i);
            for (int j = 0; j < vocab; j++) logits[j] *= 0.3f; // flat enough to be random
            result[i] = s.Sample(logits);
            s.Accept(result[i]);
        }
        return result;
    }

    [Fact]
    public void Same_seed_gives_same_tokens_different_seed_differs()
    {
        var a = Run(new SamplingOptions { Seed = 42, TopK = 0, TopP = 1f, MinP = 0f }, 200);
        var b = Run(new SamplingOptions { Seed = 42, TopK = 0, TopP = 1f, MinP = 0f }, 200);
        var c = Run(new SamplingOptions { Seed = 43, TopK = 0, TopP = 1f, MinP = 0f }, 200);
        Assert.Equal(a, b);
        int same = a.Zip(c).Count(p => p.First == p.Second);
        Assert.True(same < 40, $"{same} of 200 tokens equal across seeds");
    }

    [Fact]
    public void Default_chain_is_deterministic_per_seed()
    {
        Assert.Equal(Run(new SamplingOptions { Seed = 9 }, 100), Run(new SamplingOptions { Seed = 9 }, 100));
    }

    [Fact]
    public void Reset_rewinds_the_generator_and_random_seed_is_reported()
    {
        var s = new Sampler(Plain(seed: 5) with { Seed = null }, 50);
        var logits = RandomLogits(50, 1);
        var first = Enumerable.Range(0, 30).Select(_ => s.Sample((float[])logits.Clone())).ToArray();
        s.Reset();
        var second = Enumerable.Range(0, 30).Select(_ => s.Sample((float[])logits.Clone())).ToArray();
        Assert.Equal(first, second);

        var replay = new Sampler(Plain() with { Seed = s.Seed }, 50);
        Assert.Equal(first, Enumerable.Range(0, 30).Select(_ => replay.Sample((float[])logits.Clone())).ToArray());
    }

    [Fact]
    public void Prng_matches_reference_xoshiro256starstar()
    {
        ulong x = 0;
        Assert.Equal(0xE220A8397B1DCDAFUL, Xoshiro256StarStar.SplitMix64(ref x));
        var r0 = new Xoshiro256StarStar(0);
        Assert.Equal(0x99EC5F36CB75F2B4UL, r0.NextUInt64());
        Assert.Equal(0xBF6E1F784956452AUL, r0.NextUInt64());
        Assert.Equal(0x1A5F849D4933E6E0UL, r0.NextUInt64());
        var r42 = new Xoshiro256StarStar(42);
        Assert.Equal(0x15780B2E0C2EC716UL, r42.NextUInt64());
        Assert.Equal(0x6104D9866D113A7EUL, r42.NextUInt64());
        Assert.Equal(0xAE17533239E499A1UL, r42.NextUInt64());
    }

    [Theory]
    [InlineData(1.0f)]
    [InlineData(0.7f)]
    [InlineData(2.0f)]
    public void Empirical_distribution_matches_softmax(float temperature)
    {
        float[] logits = [1f, 2f, 0.5f, -1f, 3f];
        double[] expected = Softmax(logits, temperature);
        var s = new Sampler(Plain(temperature, seed: 1234), logits.Length);
        const int draws = 200_000;
        var counts = new int[logits.Length];
        for (int i = 0; i < draws; i++)
            counts[s.Sample((float[])logits.Clone())]++;
        for (int t = 0; t < logits.Length; t++)
        {
            double observed = counts[t] / (double)draws;
            double sigma = Math.Sqrt(expected[t] * (1 - expected[t]) / draws);
            Assert.True(Math.Abs(observed - expected[t]) < 5 * sigma + 1e-4,
                $"token {t}: observed {observed:F4}, expected {expected[t]:F4}");
        }
    }

    private static double[] Softmax(float[] logits, float temperature)
    {
        double max = logits.Max();
        var e = logits.Select(l => Math.Exp((l - max) / temperature)).ToArray();
        double sum = e.Sum();
        return e.Select(v => v / sum).ToArray();
    }

    [Fact]
    public void Top_k_keeps_the_k_best()
    {
        var logits = RandomLogits(32000, 11);
        var expected = logits.Select((l, i) => (l, i)).OrderByDescending(p => p.l).ThenBy(p => p.i).Take(40).Select(p => p.i).Order().ToArray();
        var s = new Sampler(Plain() with { TopK = 40 }, logits.Length);
        Assert.Equal(expected, s.SurvivorsForTest((float[])logits.Clone()));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(40)]
    [InlineData(512)]
    [InlineData(513)]
    [InlineData(5000)]
    public void Top_k_heap_and_quickselect_paths_agree_with_a_full_sort(int k)
    {
        var rng = new Random(k);
        var logits = Enumerable.Range(0, 32000).Select(_ => (float)rng.Next(0, 300) / 10f).ToArray(); // many ties
        logits[17] = float.NaN;
        var expected = logits.Select((l, i) => (l: float.IsNaN(l) ? float.NegativeInfinity : l, i))
            .OrderByDescending(p => p.l).ThenBy(p => p.i).Take(k).Select(p => p.i).Order().ToArray();
        var s = new Sampler(Plain() with { TopK = k }, logits.Length);
        Assert.Equal(expected, s.SurvivorsForTest((float[])logits.Clone()));
    }

    [Fact]
    public void Top_k_larger_than_vocab_keeps_everything()
    {
        var s = new Sampler(Plain() with { TopK = 10 }, 5);
        Assert.Equal([0, 1, 2, 3, 4], s.SurvivorsForTest([1f, 2f, 3f, 4f, 5f]));
        Assert.InRange(s.Sample([1f, 2f, 3f, 4f, 5f]), 0, 4);
    }

    [Fact]
    public void Top_k_ties_prefer_lower_ids()
    {
        var s = new Sampler(Plain() with { TopK = 2 }, 6);
        Assert.Equal([1, 2], s.SurvivorsForTest([0f, 5f, 5f, 5f, 1f, 5f]));
    }

    [Fact]
    public void Top_p_keeps_smallest_set_reaching_the_mass()
    {
        // probabilities ≈ 0.5, 0.25, 0.125, 0.0625, 0.0625 (from ln of those)
        float[] logits = [MathF.Log(0.0625f), MathF.Log(0.5f), MathF.Log(0.125f), MathF.Log(0.25f), MathF.Log(0.0625f)];
        Assert.Equal([1], new Sampler(Plain() with { TopP = 0.4f }, 5).SurvivorsForTest((float[])logits.Clone()));
        Assert.Equal([1, 3], new Sampler(Plain() with { TopP = 0.7f }, 5).SurvivorsForTest((float[])logits.Clone()));
        Assert.Equal([1, 2, 3], new Sampler(Plain() with { TopP = 0.8f }, 5).SurvivorsForTest((float[])logits.Clone()));
        // with top-k the mass is computed over the k survivors: 0.5/0.75 = 0.667 < 0.7 → 2 tokens
        Assert.Equal([1, 3], new Sampler(Plain() with { TopK = 2, TopP = 0.7f }, 5).SurvivorsForTest((float[])logits.Clone()));
        Assert.Equal([1], new Sampler(Plain() with { TopK = 2, TopP = 0.6f }, 5).SurvivorsForTest((float[])logits.Clone()));
    }

    [Fact]
    public void Top_p_without_top_k_matches_full_sort_on_large_vocab()
    {
        foreach (float p in new[] { 0.1f, 0.5f, 0.9f, 0.99f })
        {
            var logits = RandomLogits(32000, 21);
            for (int i = 0; i < logits.Length; i++) logits[i] *= 0.4f; // spread mass over many tokens
            var order = logits.Select((l, i) => (l, i)).OrderByDescending(x => x.l).ThenBy(x => x.i).ToArray();
            float max = order[0].l;
            double total = logits.Sum(l => Math.Exp(l - max));
            double cum = 0;
            int keep = 0;
            while (keep < order.Length)
            {
                cum += Math.Exp(order[keep].l - max);
                keep++;
                if (cum >= p * total) break;
            }
            var expected = order.Take(keep).Select(x => x.i).Order().ToArray();
            var actual = new Sampler(Plain() with { TopP = p }, logits.Length).SurvivorsForTest(logits);
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void Min_p_drops_tokens_below_fraction_of_the_top()
    {
        // p ∝ 1, 0.5, 0.2, 0.09, 0.01 relative to the top token
        float[] logits = [0f, MathF.Log(0.5f), MathF.Log(0.2f), MathF.Log(0.09f), MathF.Log(0.01f)];
        Assert.Equal([0, 1, 2], new Sampler(Plain() with { MinP = 0.1f }, 5).SurvivorsForTest((float[])logits.Clone()));
        Assert.Equal([0, 1], new Sampler(Plain() with { MinP = 0.3f }, 5).SurvivorsForTest((float[])logits.Clone()));
        Assert.Equal([0], new Sampler(Plain() with { MinP = 1f }, 5).SurvivorsForTest((float[])logits.Clone()));
        // sorted path (after top-k)
        Assert.Equal([0, 1, 2], new Sampler(Plain() with { TopK = 4, MinP = 0.1f }, 5).SurvivorsForTest((float[])logits.Clone()));
    }

    [Fact]
    public void Filtered_tokens_are_never_drawn()
    {
        float[] logits = [0f, MathF.Log(0.5f), MathF.Log(0.2f), MathF.Log(0.09f), MathF.Log(0.01f)];
        var s = new Sampler(Plain(temperature: 3f) with { MinP = 0.1f }, 5);
        var seen = new HashSet<int>();
        for (int i = 0; i < 5000; i++)
            seen.Add(s.Sample((float[])logits.Clone()));
        Assert.Equal([0, 1, 2], seen.Order().ToArray());
    }

    [Fact]
    public void Repeat_penalty_divides_positive_and_multiplies_negative_logits()
    {
        var s = new Sampler(Plain() with { RepeatPenalty = 2f, PenaltyWindow = 16 }, 5);
        s.Accept(0);
        s.Accept(1);
        s.Accept(2);
        s.Accept(2);
        float[] logits = [4f, -3f, 0f, 5f, -1f];
        s.ApplyPenalties(logits);
        Assert.Equal([2f, -6f, 0f, 5f, -1f], logits);
    }

    [Fact]
    public void Frequency_and_presence_penalties_subtract_count_times_freq_plus_presence()
    {
        var s = new Sampler(Plain() with { RepeatPenalty = 1.5f, FrequencyPenalty = 0.25f, PresencePenalty = 0.5f, PenaltyWindow = -1 }, 4);
        foreach (int t in new[] { 1, 1, 1, 2 })
            s.Accept(t);
        float[] logits = [1f, 3f, -2f, 7f];
        s.ApplyPenalties(logits);
        Assert.Equal(1f, logits[0]);
        Assert.Equal(3f / 1.5f - (3 * 0.25f + 0.5f), logits[1]);
        Assert.Equal(-2f * 1.5f - (1 * 0.25f + 0.5f), logits[2]);
        Assert.Equal(7f, logits[3]);
    }

    [Fact]
    public void Penalty_window_only_counts_recent_tokens()
    {
        var s = new Sampler(Plain() with { RepeatPenalty = 1f, FrequencyPenalty = 1f, PenaltyWindow = 3 }, 4);
        foreach (int t in new[] { 0, 0, 1, 2, 1 }) // window holds 1, 2, 1
            s.Accept(t);
        float[] logits = new float[4];
        s.ApplyPenalties(logits);
        Assert.Equal([0f, -2f, -1f, 0f], logits);

        s.Accept(3); // window 2, 1, 3
        s.Accept(3); // window 1, 3, 3
        logits = new float[4];
        s.ApplyPenalties(logits);
        Assert.Equal([0f, -1f, 0f, -2f], logits);

        s.Reset();
        logits = new float[4];
        s.ApplyPenalties(logits);
        Assert.Equal(new float[4], logits);
    }

    [Fact]
    public void Whole_context_window_never_forgets_and_zero_window_disables()
    {
        var all = new Sampler(Plain() with { FrequencyPenalty = 1f, PenaltyWindow = -1 }, 3);
        var none = new Sampler(Plain() with { FrequencyPenalty = 1f, PenaltyWindow = 0 }, 3);
        for (int i = 0; i < 1000; i++)
        {
            all.Accept(i % 2);
            none.Accept(i % 2);
        }
        float[] a = new float[3], b = new float[3];
        all.ApplyPenalties(a);
        none.ApplyPenalties(b);
        Assert.Equal([-500f, -500f, 0f], a);
        Assert.Equal([0f, 0f, 0f], b);
    }

    [Fact]
    public void Sample_rejects_wrong_lengths_and_tokens()
    {
        var s = new Sampler(new SamplingOptions(), 10);
        Assert.Throws<ArgumentException>(() => s.Sample(new float[9]));
        Assert.Throws<ArgumentOutOfRangeException>(() => s.Accept(10));
        Assert.Throws<ArgumentOutOfRangeException>(() => s.Accept(-1));
    }

    [Fact]
    public void Degenerate_logits_do_not_throw()
    {
        var s = new Sampler(new SamplingOptions { Seed = 1 }, 4);
        Assert.Equal(2, s.Sample([float.NegativeInfinity, 0f, float.PositiveInfinity, 1f]));
        int t = s.Sample([float.NegativeInfinity, float.NegativeInfinity, float.NegativeInfinity, float.NegativeInfinity]);
        Assert.InRange(t, 0, 3);
        Assert.Equal(1, s.Sample([float.NaN, 5f, float.NaN, float.NegativeInfinity]));
    }

    [Fact]
    public void Select_top_partitions_correctly_for_many_sizes()
    {
        var rng = new Random(5);
        foreach (int n in new[] { 2, 3, 10, 100, 1000 })
        {
            foreach (int k in new[] { 1, 2, n / 2, n - 1 })
            {
                if (k <= 0 || k >= n) continue;
                var a = Enumerable.Range(0, n).Select(i => new Sampler.Candidate(i, rng.Next(0, 20))).ToArray(); // many ties
                var expected = a.OrderByDescending(c => c.Logit).ThenBy(c => c.Id).Take(k).Select(c => c.Id).Order().ToArray();
                Sampler.SelectTop(a, k);
                Assert.Equal(expected, a.Take(k).Select(c => c.Id).Order().ToArray());
            }
        }
    }

    [Fact]
    public void Sorts_order_by_descending_logit_then_id()
    {
        var rng = new Random(8);
        foreach (int n in new[] { 0, 1, 2, 15, 17, 100, 5000 })
        {
            var a = Enumerable.Range(0, n).Select(i => new Sampler.Candidate(i, rng.Next(0, 50))).ToArray();
            var expected = a.OrderByDescending(c => c.Logit).ThenBy(c => c.Id).ToArray();
            var b = (Sampler.Candidate[])a.Clone();
            Sampler.SortDescending(a);
            Sampler.HeapSort(b);
            Assert.Equal(expected, a);
            Assert.Equal(expected, b);
        }
    }

    [Fact]
    public void Sample_does_not_allocate_after_warmup()
    {
        var logits = RandomLogits(32000, 3);
        foreach (var o in new[]
                 {
                     new SamplingOptions { Seed = 1 },
                     new SamplingOptions { Seed = 1, TopK = 0 },
                     new SamplingOptions { Seed = 1, TopK = 0, TopP = 1f },
                     SamplingOptions.Greedy,
                 })
        {
            var s = new Sampler(o, logits.Length);
            var work = new float[logits.Length];
            for (int i = 0; i < 3; i++)
            {
                logits.CopyTo(work, 0);
                s.Accept(s.Sample(work));
            }
            // The runtime itself may allocate once while it re-compiles a hot method (tiering, on-stack
            // replacement) in the middle of a window; an allocation per call would show in every window.
            long fewest = long.MaxValue;
            for (int window = 0; window < 5 && fewest > 0; window++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < 20; i++)
                {
                    logits.CopyTo(work, 0);
                    s.Accept(s.Sample(work));
                }
                fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
            }
            Assert.Equal(0, fewest);
        }
    }
}
