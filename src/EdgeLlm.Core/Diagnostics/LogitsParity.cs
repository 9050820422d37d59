using EdgeLlm.Core.Gguf;
using EdgeLlm.Core.Model;
using EdgeLlm.Core.Model.Ops;

namespace EdgeLlm.Core.Diagnostics;

/// <summary>How far our logits are from a llama.cpp reference, and whether that is within tolerance.</summary>
public sealed record LogitsParityResult(string Name, double MaxAbs, double MeanAbs, double MaxAllowed, double MeanAllowed, int GreedyAgree, int GreedyTotal, int ReferenceGreedyAgree)
{
    public bool Passed => MaxAbs <= MaxAllowed && MeanAbs <= MeanAllowed && GreedyAgree >= ReferenceGreedyAgree;

    public override string ToString() =>
        $"{Name}: max |Δ| {MaxAbs:E2} (≤ {MaxAllowed:E2}), mean |Δ| {MeanAbs:E2} (≤ {MeanAllowed:E2}), greedy {GreedyAgree}/{GreedyTotal} (reference {ReferenceGreedyAgree})";
}

/// <summary>Runs a model on a reference's tokens and compares every logits row the reference holds.</summary>
/// <remarks>
/// The reference greedy tokens are fed back (teacher forcing) so every row is comparable even where our
/// argmax might differ; agreement of our own argmax with the reference is counted separately.
/// Tolerances follow the fixture README: 3x the reference's own max_abs noise (F16 vs F32 KV cache) and
/// 2x its mean_abs, with floors of 1e-4 / 1e-5 for the all-F16 models whose noise is at the level of
/// float summation order.
/// </remarks>
public static class LogitsParity
{
    public static LogitsParityResult Check(ReferenceCase reference, string modelPath, int threads)
    {
        using var file = GgufFile.Open(modelPath);
        using var model = new LlamaModel(file, new ModelOptions { ContextLength = reference.PromptTokens.Length + reference.GreedyTokens.Length + 1, Threads = threads });
        int vocab = model.Config.VocabSize;
        if (vocab != reference.VocabSize)
            throw new InvalidDataException($"{reference.Name}: model vocabulary {vocab} differs from the reference's {reference.VocabSize}");

        var rows = new float[(reference.PromptTokens.Length + reference.GreedyTokens.Length) * vocab];
        model.Forward(reference.PromptTokens, 0, rows, allLogits: true);
        int agree = 0;
        bool diverged = false;
        for (int i = 0; i < reference.GreedyTokens.Length; i++)
        {
            int position = reference.PromptTokens.Length + i;
            int ours = VectorMath.ArgMax(rows.AsSpan((position - 1) * vocab, vocab));
            if (!diverged && ours == reference.GreedyTokens[i]) agree++;
            else diverged = true;
            model.Forward([reference.GreedyTokens[i]], position, rows.AsSpan(position * vocab, vocab));
        }

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
            reference.Name, maxAbs, sumAbs / (reference.LogitsPositions.Length * (double)vocab),
            Math.Max(3 * reference.NoiseMaxAbs, 1e-4), Math.Max(2 * reference.NoiseMeanAbs, 1e-5),
            agree, reference.GreedyTokens.Length, reference.GreedyAgree);
    }
}
