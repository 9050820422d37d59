using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace EdgeLlm.Core.Tensors;

/// <summary>The SIMD features the running CPU (and this build) offer, and the kernel family they select.</summary>
public static class CpuFeatures
{
    public static string Describe()
    {
        var features = new List<string>();
        if (Sse2.IsSupported) features.Add("SSE2");
        if (Ssse3.IsSupported) features.Add("SSSE3");
        if (Avx.IsSupported) features.Add("AVX");
        if (Avx2.IsSupported) features.Add("AVX2");
        if (Fma.IsSupported) features.Add("FMA");
        if (Avx512F.IsSupported) features.Add("AVX-512F");
        if (Avx512BW.IsSupported) features.Add("AVX-512BW");
        if (Avx512Vbmi.IsSupported) features.Add("AVX-512VBMI");
        if (AvxVnni.IsSupported) features.Add("AVX-VNNI");
        if (AdvSimd.IsSupported) features.Add("AdvSimd");
        if (AdvSimd.Arm64.IsSupported) features.Add("AdvSimd.Arm64");
        if (Dp.IsSupported) features.Add("Dp(SDOT)");
        if (Rdm.IsSupported) features.Add("Rdm");
        return features.Count == 0 ? "none (scalar only)" : string.Join(' ', features);
    }

    /// <summary>
    /// The name of the kernel family the dispatcher uses on this CPU: the path <see cref="Dot"/> runs Q4_0 on, read from the
    /// dispatch itself so the two cannot disagree (a feature test of its own here said "avx512" where Dot runs AVX-VNNI). The other types'
    /// and the interleaved kernels' choices follow from the same CPU features, so this one name also tells runs apart for
    /// the prompt cache's identity.
    /// </summary>
    public static string KernelIsa => Dot.Name(Dot.Default(GgmlType.Q4_0));
}
