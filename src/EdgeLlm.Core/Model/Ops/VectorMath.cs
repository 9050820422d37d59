using System.Numerics;

namespace EdgeLlm.Core.Model.Ops;

/// <summary>Elementwise helpers for the residual stream.</summary>
public static class VectorMath
{
    /// <summary>acc += x.</summary>
    public static void AddInPlace(Span<float> acc, ReadOnlySpan<float> x)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
            for (; i <= acc.Length - Vector<float>.Count; i += Vector<float>.Count)
                (new Vector<float>(acc[i..]) + new Vector<float>(x[i..])).CopyTo(acc[i..]);
        for (; i < acc.Length; i++) acc[i] += x[i];
    }

    /// <summary>x *= factor.</summary>
    public static void Scale(Span<float> x, float factor)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var f = new Vector<float>(factor);
            for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
                (new Vector<float>(x[i..]) * f).CopyTo(x[i..]);
        }
        for (; i < x.Length; i++) x[i] *= factor;
    }

    public static int ArgMax(ReadOnlySpan<float> x)
    {
        int best = 0;
        for (int i = 1; i < x.Length; i++) if (x[i] > x[best]) best = i;
        return best;
    }
}
