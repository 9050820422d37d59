using System.Runtime.Intrinsics;

namespace EdgeLlm.Core.Model.Ops;

/// <summary>Where the per-token float ops (RMSNorm, softmax, SwiGLU) take their 128-bit vector paths.</summary>
internal static class VectorOps
{
    /// <summary>
    /// arm64 (128-bit NEON, no 256-bit vectors). x64 keeps the scalar forms and their exact bits: its parity tests demand
    /// llama.cpp's greedy tokens exactly, and a vector exponential an ulp away flips a near-tie in one of them; these ops are a
    /// sliver of an x64 token's time anyway. Tests run both forms everywhere.
    /// </summary>
    public static bool Use128 => Vector128.IsHardwareAccelerated && !Vector256.IsHardwareAccelerated;
}
