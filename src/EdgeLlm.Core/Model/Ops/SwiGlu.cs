namespace EdgeLlm.Core.Model.Ops;

/// <summary>The gated feed-forward activation: silu(gate) · up.</summary>
public static class SwiGlu
{
    public static void Apply(Span<float> gateInOut, ReadOnlySpan<float> up)
    {
        for (int i = 0; i < gateInOut.Length; i++)
        {
            float g = gateInOut[i];
            gateInOut[i] = g / (1.0f + MathF.Exp(-g)) * up[i];
        }
    }
}
