using EdgeLlm.Core.Gguf;
using EdgeLlm.Core.Model;
using EdgeLlm.Core.Model.Ops;

namespace EdgeLlm.Core.Diagnostics;

/// <summary>How far our logits are from a llama.cpp reference, and whether that is within tolerance.</summary>
/// <param name="GreedyAgree">Leading greedy steps where our argmax is the reference's token, or a near-tie (see <see cref="LogitsParity"/>).</param>
/// <param name="GreedyExact">Leading greedy steps where our argmax is exactly the reference's token.</param>
public sealed record LogitsParityResult(string Name, double MaxAbs, double MeanAbs, double MaxAllowed, double MeanAllowed, int GreedyAgree, int GreedyExact, int GreedyTotal, int ReferenceGreedyAgree)
{
    public bool Passed => MaxAbs <= MaxAllowed && MeanAbs <= MeanAllowed && GreedyAgree >= ReferenceGreedyAgree;

    public override string ToString() =>
        $"{Name}: max |Δ| {MaxAbs:E2} (≤ {MaxAllowed:E2}), mean |Δ| {MeanAbs:E2} (≤ {MeanAllowed:E2}), greedy {GreedyAgree}/{GreedyTotal}" +
        (GreedyExact < GreedyAgree ? $" ({GreedyExact} exact, then near-ties)" : "") + $" (reference {ReferenceGreedyAgree})";
}

/// <summary>Runs a model on a reference's tokens and compares every logits row the reference holds.</summary>
/// <remarks>
/// The reference greedy tokens are fed back (teacher forcing) so every row is comparable even where our
/// argmax might differ; agreement of our own argmax with the reference is counted separately.
/// A greedy step where our argmax differs from the reference's token still counts as agreeing when, in the
/// reference's own logits, our token is within the max-abs tolerance of its pick: a near-tie that rounding
/// noise of that size can flip (random-weight models have flat distributions and such ties are common; they
/// decide whether, e.g., an arm64 build lands on one side or the other). Exact agreement is reported apart.
/// Tolerances follow the fixture README: 3x the reference's own max_abs noise (F16 vs F32 KV cache) and
/// 2x its mean_abs, with floors of 1e-4 / 1e-5 for the all-F16 models whose noise is at the level of
/// float summation order.
/// </remarks>
public static class LogitsParity
{
    /// <param name="interleavedCacheDirectory">Run with the interleaved weight cache there (see <see cref="InterleavedWeightCache"/>).</param>
    public static LogitsParityResult Check(ReferenceCase reference, string modelPath, int threads, string? interleavedCacheDirectory = null)
    {
        using var file = GgufFile.Open(modelPath);
        using var model = TransformerModel.Load(file, new ModelOptions
        {
            ContextLength = reference.PromptTokens.Length + reference.GreedyTokens.Length + 1, Threads = threads,
            InterleavedCacheDirectory = interleavedCacheDirectory,
        });
        int vocab = model.Config.VocabSize;
        if (vocab != reference.VocabSize)
            throw new InvalidDataException($"{reference.Name}: model vocabulary {vocab} differs from the reference's {reference.VocabSize}");

        var rows = new float[(reference.PromptTokens.Length + reference.GreedyTokens.Length) * vocab];
        model.Forward(reference.PromptTokens, 0, rows, allLogits: true);
        for (int i = 0; i < reference.GreedyTokens.Length; i++)
        {
            int position = reference.PromptTokens.Length + i;
            model.Forward([reference.GreedyTokens[i]], position, rows.AsSpan(position * vocab, vocab));
        }
        double maxAllowed = Math.Max(3 * reference.NoiseMaxAbs, 1e-4), meanAllowed = Math.Max(2 * reference.NoiseMeanAbs, 1e-5);

        int agree = 0, exact = -1;
        for (int i = 0; i < reference.GreedyTokens.Length; i++)
        {
            int position = reference.PromptTokens.Length + i - 1;
            int ours = VectorMath.ArgMax(rows.AsSpan(position * vocab, vocab));
            int theirs = reference.GreedyTokens[i];
            if (ours == theirs) { agree++; continue; }
            if (exact < 0) exact = agree;
            int row = Array.IndexOf(reference.LogitsPositions, position);
            if (row < 0 || reference.Row(row)[theirs] - reference.Row(row)[ours] > maxAllowed) break;
            agree++;
        }
        if (exact < 0) exact = agree;

        double maxAbs = 0, sumAbs = 0;
        for (int r = 0; r < reference.LogitsPositions.Length; r++)
        {
            var ours = rows.AsSpan(reference.LogitsPositions[r] * vocab, vocab);
            var theirs = reference.Row(r);
            for (int v = 0; v < vocab; v++)
            {
                double d = Math.Abs(ours[v] - theirs[v]);
                if (double.IsNaN(d)) d = double.PositiveInfinity;
                maxAbs = Math.Max(maxAbs, d);
                sumAbs += d;
            }
        }
        return new LogitsParityResult(
            reference.Name, maxAbs, sumAbs / (reference.LogitsPositions.Length * (double)vocab), maxAllowed, meanAllowed,
            agree, exact, reference.GreedyTokens.Length, reference.GreedyAgree);
    }
}
