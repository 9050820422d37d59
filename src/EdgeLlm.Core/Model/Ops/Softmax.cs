namespace EdgeLlm.Core.Model.Ops;

/// <summary>Numerically stable softmax, normalised with a double-precision sum like ggml.</summary>
public static class Softmax
{
    public static void InPlace(Span<float> x)
    {
        float max = float.NegativeInfinity;
        foreach (float v in x) if (v > max) max = v;
        double sum = 0;
        for (int i = 0; i < x.Length; i++)
        {
            float e = MathF.Exp(x[i] - max);
            x[i] = e;
            sum += e;
        }
        float inv = (float)(1.0 / sum);
        for (int i = 0; i < x.Length; i++) x[i] *= inv;
    }
}
