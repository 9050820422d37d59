using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EdgeLlm.Core.Model.Ops;

/// <summary>The gated feed-forward activation: silu(gate) · up.</summary>
public static class SwiGlu
{
    public static void Apply(Span<float> gateInOut, ReadOnlySpan<float> up) => Apply(gateInOut, up, VectorOps.Use128);

    /// <summary>
    /// With 128-bit vectors (arm64's width) the exponential is <see cref="Exp128"/>, which differs from <see cref="MathF.Exp"/>
    /// by up to 2 ulp: ggml's own SIMD silu (ggml_v_silu) is an approximation of that order too.
    /// </summary>
    internal static void Apply(Span<float> gateInOut, ReadOnlySpan<float> up, bool vector)
    {
        if (up.Length < gateInOut.Length) throw new ArgumentException("up is shorter than gate", nameof(up));
        int i = 0;
        if (vector)
        {
            ref float g = ref MemoryMarshal.GetReference(gateInOut);
            ref float u = ref MemoryMarshal.GetReference(up);
            var one = Vector128.Create(1.0f);
            for (; i + 4 <= gateInOut.Length; i += 4)
            {
                Vector128<float> x = Vector128.LoadUnsafe(ref g, (nuint)i);
                (x / (one + Exp128.Exp(-x)) * Vector128.LoadUnsafe(ref u, (nuint)i)).StoreUnsafe(ref g, (nuint)i);
            }
        }
        for (; i < gateInOut.Length; i++)
        {
            float x = gateInOut[i];
            gateInOut[i] = x / (1.0f + MathF.Exp(-x)) * up[i];
        }
    }
}
