using EdgeLlm.Bench;
using EdgeLlm.Core.Gguf;
using EdgeLlm.Core.Model;
using EdgeLlm.Core.Tensors;
using Xunit.Abstractions;

namespace EdgeLlm.Tests.Model;

/// <summary>
/// Every block variant against <see cref="ScalarReferenceForward"/> on small all-F32 random models: the only reference
/// for phi3 (llama.cpp's loader crashed on a random phi3 file), and an independent one for the others.
/// </summary>
public sealed class ArchitectureForwardTests(ITestOutputHelper output)
{
    public static TheoryData<string> Variants() => ["llama3", "qwen2", "qwen3", "phi3", "phi3-separate-window"];

    private static SyntheticPreset Preset(string variant) => variant switch
    {
        // GQA, tied output, Llama 3.1 frequency factors (1..8) that matter at these short positions.
        "llama3" => new("t", "llama", 300, 64, 2, 4, 2, 96, GgmlType.F32, 0, Tied: true, RopeFreqs: true),
        "qwen2" => new("t", "qwen2", 300, 64, 2, 4, 2, 96, GgmlType.F32, 0, Tied: true, RopeBase: 1e6f),
        // Head size 32 with 4 heads: Q and the attention output are 128 wide while the model is 64.
        "qwen3" => new("t", "qwen3", 300, 64, 2, 4, 2, 96, GgmlType.F32, 0, HeadDim: 32, RopeBase: 1e6f),
        // A window of 5 over 12 positions: later tokens must not see the first ones.
        "phi3" => new("t", "phi3", 300, 64, 2, 4, 4, 96, GgmlType.F32, 0, SlidingWindow: 5),
        "phi3-separate-window" => new("t", "phi3", 300, 64, 2, 4, 2, 96, GgmlType.F32, 0, SlidingWindow: 3),
        _ => throw new ArgumentException(variant),
    };

    private static string Write(SyntheticPreset preset)
    {
        string path = Path.Combine(Path.GetTempPath(), $"edgellm-arch-{Guid.NewGuid():N}.gguf");
        using (var stream = File.Create(path)) SyntheticModel.Write(preset, stream, seed: 7);
        return path;
    }

    private static readonly int[] Prompt = [1, 17, 250, 33, 4, 99, 123, 7, 8, 260, 42];
    private static readonly int[] Continuation = [5, 77, 299];

    [Theory]
    [MemberData(nameof(Variants))]
    public void Logits_match_the_scalar_reference(string variant)
    {
        string path = Write(Preset(variant));
        try
        {
            using var file = GgufFile.Open(path);
            using var model = TransformerModel.Load(file, new ModelOptions { ContextLength = 32, KvType = KvCacheType.F32, Threads = 2, MaxBatch = 4 });
            var reference = new ScalarReferenceForward(file);
            int vocab = model.Config.VocabSize;

            var ours = new float[(Prompt.Length + Continuation.Length) * vocab];
            model.Forward(Prompt, 0, ours, allLogits: true);
            for (int i = 0; i < Continuation.Length; i++)
                model.Forward([Continuation[i]], Prompt.Length + i, ours.AsSpan((Prompt.Length + i) * vocab, vocab));

            double maxAbs = 0, maxRef = 0;
            int[] all = [.. Prompt, .. Continuation];
            for (int t = 0; t < all.Length; t++)
            {
                var expected = reference.Next(all[t]);
                for (int v = 0; v < vocab; v++)
                {
                    maxAbs = Math.Max(maxAbs, Math.Abs(ours[t * vocab + v] - expected[v]));
                    maxRef = Math.Max(maxRef, Math.Abs(expected[v]));
                }
            }
            output.WriteLine($"{variant}: max |Δ| {maxAbs:E2} over logits up to {maxRef:F2}");
            Assert.True(maxRef > 0.5, "the reference logits are degenerate");
            Assert.True(maxAbs < 1e-4 * Math.Max(1, maxRef), $"{variant}: max |Δ| {maxAbs:E2}");
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void The_sliding_window_changes_the_result_once_positions_fall_out_of_it()
    {
        // Guards the comparison above against a window that is never applied: the same weights without one differ.
        var windowed = Preset("phi3");
        string a = Write(windowed), b = Write(windowed with { SlidingWindow = 0 });
        try
        {
            using var fa = GgufFile.Open(a);
            using var fb = GgufFile.Open(b);
            using var ma = TransformerModel.Load(fa, new ModelOptions { ContextLength = 32, KvType = KvCacheType.F32 });
            using var mb = TransformerModel.Load(fb, new ModelOptions { ContextLength = 32, KvType = KvCacheType.F32 });
            Assert.Equal(5, ma.Config.SlidingWindow);
            var la = new float[Prompt.Length * ma.Config.VocabSize];
            var lb = new float[la.Length];
            ma.Forward(Prompt, 0, la, allLogits: true);
            mb.Forward(Prompt, 0, lb, allLogits: true);
            int vocab = ma.Config.VocabSize;
            Assert.True(la.AsSpan(0, 5 * vocab).SequenceEqual(lb.AsSpan(0, 5 * vocab)), "inside the window both see everything");
            Assert.False(la.AsSpan(5 * vocab, vocab).SequenceEqual(lb.AsSpan(5 * vocab, vocab)), "position 5 no longer sees position 0");
        }
        finally { File.Delete(a); File.Delete(b); }
    }

    [Fact]
    public void Phi3_fused_matrices_read_their_own_rows_of_the_interleaved_cache()
    {
        // Q, K and V (and gate and up) are row views of one tensor each; with the cache on, each view must start at its
        // own group of the interleaved copy, or the logits go wrong while every matrix still "works".
        Assert.True(InterleavedDot.Supported(GgmlType.Q4_0) || !System.Runtime.Intrinsics.X86.Avx2.IsSupported);
        if (!InterleavedDot.Supported(GgmlType.Q4_0)) return; // no interleaved kernel on this CPU (the A72): nothing to attach
        string path = Write(new SyntheticPreset("t", "phi3", 300, 256, 1, 4, 2, 96, GgmlType.Q4_0, 2, SlidingWindow: 5));
        string cache = Directory.CreateTempSubdirectory("edgellm-phi3-cache-").FullName;
        try
        {
            using var file = GgufFile.Open(path);
            using var plain = TransformerModel.Load(file, new ModelOptions { ContextLength = 32 });
            using var interleaved = TransformerModel.Load(file, new ModelOptions { ContextLength = 32, InterleavedCacheDirectory = cache });
            var fused = interleaved.Weights.Layers.SelectMany(l => new[] { l.Query, l.Key, l.Value, l.Gate, l.Up }).ToList();
            Assert.All(fused, m => Assert.True(m.IsInterleaved, m.Name));
            Assert.Contains(fused, m => m.FirstRow > 0);

            int vocab = plain.Config.VocabSize;
            var a = new float[Prompt.Length * vocab];
            var b = new float[a.Length];
            plain.Forward(Prompt, 0, a, allLogits: true);
            interleaved.Forward(Prompt, 0, b, allLogits: true);
            double maxAbs = 0;
            for (int i = 0; i < a.Length; i++) maxAbs = Math.Max(maxAbs, Math.Abs(a[i] - b[i]));
            output.WriteLine($"row-major vs interleaved: max |Δ| {maxAbs:E2}");
            Assert.True(maxAbs < 1e-3, $"max |Δ| {maxAbs:E2}");
        }
        finally
        {
            File.Delete(path);
            Directory.Delete(cache, recursive: true);
        }
    }
}
