using EdgeLlm.Core.Model;
using EdgeLlm.Core.Tensors;

namespace EdgeLlm.Core.Tests.Model;

/// <summary>
/// arm64's grouped attention (run here through the portable NEON helpers) against the per-head path over the same F16 cache:
/// prompt batches and single tokens, heads in lanes (2-8 per item) and single heads (rows converted once per batch, or per
/// item), with 1 to 4 workers.
/// </summary>
public class GroupedAttentionTests
{
    private static ModelConfig Config(int heads, int kvHeads, int headDim) =>
        new("llama", 32, heads * headDim, 2, heads, kvHeads, headDim, 64, 128, new RopeSettings(RopeStyle.Normal, headDim, 10000f), 1e-5f);

    [Theory]
    [InlineData(8, 2, 32, 0, 7, 1)]    // first batch of a prompt, one worker: all four query heads per item
    [InlineData(8, 2, 32, 29, 13, 3)]  // a later batch: rows 0..41 converted once, three workers
    [InlineData(12, 2, 64, 50, 1, 1)]  // generation: each item converts its rows
    [InlineData(12, 2, 64, 50, 1, 4)]  // generation on four workers: fewer heads per item
    [InlineData(4, 4, 16, 3, 6, 2)]    // multi-head attention: groups of one
    [InlineData(32, 4, 64, 45, 1, 1)]  // TinyLlama's generation: eight heads in lanes
    [InlineData(32, 4, 16, 9, 3, 2)]   // eight heads in lanes, a small head size, a short batch on two workers
    [InlineData(9, 3, 32, 30, 2, 1)]   // three heads in four lanes (one spare)
    [InlineData(20, 2, 32, 21, 1, 1)]  // ten heads per key/value head: two items of five (eight lanes, three spare)
    public void Grouped_attention_matches_the_per_head_path(int heads, int kvHeads, int headDim, int firstPosition, int tokens, int threads)
    {
        var config = Config(heads, kvHeads, headDim);
        var cache = new KvCache(config, 96, KvCacheType.F16);
        var rng = new Random(heads * 1000 + firstPosition + tokens);
        for (int layer = 0; layer < 2; layer++)
        {
            var keys = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(cache.Keys(layer, 96));
            var values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(cache.Values(layer, 96));
            for (int i = 0; i < keys.Length; i++)
            {
                keys[i] = Fp16.FromSingle((float)((rng.NextDouble() * 2 - 1) * 3));
                values[i] = Fp16.FromSingle((float)(rng.NextDouble() * 2 - 1));
            }
        }
        float[] queries = Enumerable.Range(0, tokens * config.QueryDim).Select(_ => (float)((rng.NextDouble() * 2 - 1) * 2)).ToArray();
        float[] expected = new float[queries.Length], actual = new float[queries.Length];
        using var pool = new WorkerPool(threads);
        new AttentionJob(config, cache, pool.ThreadCount, grouped: false).Run(pool, 1, firstPosition, tokens, queries, expected);
        new AttentionJob(config, cache, pool.ThreadCount, grouped: true).Run(pool, 1, firstPosition, tokens, queries, actual);
        // Both round each probability to F16, and x64's per-head path takes MathF.Exp where the grouped one takes Exp128: an
        // ulp there can move a probability by one F16 step (2⁻¹¹ of it), so an output (values in [-1, 1], probabilities
        // summing to 1) may differ by up to 2⁻¹¹. A wrong row, head or token moves it by ~1 / visible rows or more.
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1.0 / 2048, $"[{i}] (token {i / config.QueryDim}): {actual[i]:R}, per head {expected[i]:R}");
        Assert.True(expected.Any(x => Math.Abs(x) > 0.01), "the outputs are not all near zero");
    }
}
