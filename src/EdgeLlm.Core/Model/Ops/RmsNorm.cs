using System.Numerics;

namespace EdgeLlm.Core.Model.Ops;

/// <summary>Root-mean-square normalisation followed by the learned per-channel weight.</summary>
public static class RmsNorm
{
    /// <summary>dst = src / sqrt(mean(src²) + eps) * weight.</summary>
    /// <remarks>The sum of squares is accumulated in double, like ggml, so long rows do not lose precision.</remarks>
    public static void Apply(ReadOnlySpan<float> src, ReadOnlySpan<float> weight, float eps, Span<float> dst)
    {
        double sum = 0;
        for (int i = 0; i < src.Length; i++) sum += src[i] * src[i];
        float mean = (float)(sum / src.Length);
        float scale = 1.0f / MathF.Sqrt(mean + eps);

        int v = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var s = new Vector<float>(scale);
            for (; v <= src.Length - Vector<float>.Count; v += Vector<float>.Count)
                (new Vector<float>(src[v..]) * s * new Vector<float>(weight[v..])).CopyTo(dst[v..]);
        }
        for (; v < src.Length; v++) dst[v] = src[v] * scale * weight[v];
    }
}
