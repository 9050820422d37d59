using System.Globalization;

namespace EdgeLlm.Bench;

/// <summary>
/// <c>tg_efficiency</c>: the fraction of the memory read ceiling generation reaches (weight bytes read per token × tokens per
/// second ÷ the probe's bandwidth). It is a fraction of a ceiling, so it never exceeds 1: a measured ratio above 1 means the
/// weights did not come from memory (a model small enough to stay in the CPU's caches) or the probe read less than the
/// memory delivered during generation (a busy machine). Either way the ceiling does not bound that run, and the figure is
/// reported as 1 with a note that gives the measured ratio and says why, instead of claiming more than the ceiling.
/// </summary>
public static class GenerationEfficiency
{
    /// <summary>The fraction (at most 1) and, when the measured ratio was above 1, why it was capped.</summary>
    public static (double Fraction, string? Note) Compute(long bytesPerToken, double tokensPerSecond, double readGBps)
    {
        if (readGBps <= 0 || tokensPerSecond <= 0) return (0, null);
        double ratio = bytesPerToken * tokensPerSecond / (readGBps * 1e9);
        if (ratio <= 1) return (ratio, null);
        return (1, string.Create(CultureInfo.InvariantCulture,
            $"measured {ratio:F2}x the probe's {readGBps:F1} GB/s: the {bytesPerToken / 1e6:F1} MB read per token came (partly) from cache, or the probe under-read a busy machine; capped at 1"));
    }
}
