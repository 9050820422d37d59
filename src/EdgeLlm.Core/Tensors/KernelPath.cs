using System.Runtime.Intrinsics.X86;
using EdgeLlm.Core.Tensors.Arm;
using EdgeLlm.Core.Tensors.Generic;
using EdgeLlm.Core.Tensors.X86;

namespace EdgeLlm.Core.Tensors;

/// <summary>The implementations <see cref="Dot"/> can run for a weight type; internal so tests can force each one.</summary>
internal enum KernelPath
{
    /// <summary><see cref="ScalarDot"/>.</summary>
    Scalar,
    /// <summary>x64 256-bit integer kernels with pmaddubsw/pmaddwd.</summary>
    Avx2,
    /// <summary>x64 256-bit integer kernels with AVX-VNNI vpdpbusd/vpdpwssd.</summary>
    AvxVnni,
    /// <summary>x64 512-bit AVX-512BW kernels (Q4_0, Q8_0).</summary>
    Avx512,
    /// <summary>arm64 SDOT kernels (Cortex-A76).</summary>
    NeonDot,
    /// <summary>arm64 widening-multiply kernels (Cortex-A72).</summary>
    Neon,
    /// <summary>The arm64 kernels with SDOT emulated in scalar code: runs anywhere, for testing the kernel logic off-device.</summary>
    NeonEmulated,
    /// <summary>Portable 256-bit float kernels (F32, F16, BF16).</summary>
    FloatVector,
    /// <summary>Portable 128-bit kernels: the float dots (F32, F16, BF16) and the Q8_0/Q8_K quantizers; arm64's float path.</summary>
    FloatVector128,
}

/// <summary>
/// What a <see cref="KernelPath"/> needs from the CPU, and which one the dispatch prefers. Whether a path has a kernel for
/// a type is the type's business (<see cref="QuantTypes"/>); the two together decide what runs.
/// </summary>
internal static class KernelPaths
{
    /// <summary>Number of paths (the size of a per-path table).</summary>
    public const int Count = (int)KernelPath.FloatVector128 + 1;

    /// <summary>
    /// Best first: the first of these that has a kernel for a type and that this CPU runs is the one used. AVX-VNNI comes
    /// before AVX-512, as it always has in this dispatch; where VNNI is missing (AMD's AVX-512 cores have only the 512-bit
    /// VNNI, which .NET does not expose) the 512-bit kernels read Q4_0 and Q6_K from memory faster than the 256-bit ones
    /// (bench --kernels, "from memory"). Scalar is no entry: it is what is left when nothing here fits. Nor is
    /// <see cref="KernelPath.NeonEmulated"/>: it exists for tests, which name it.
    /// </summary>
    public static ReadOnlySpan<KernelPath> Preference =>
    [
        KernelPath.AvxVnni, KernelPath.Avx512, KernelPath.Avx2,
        KernelPath.NeonDot, KernelPath.Neon,
        KernelPath.FloatVector, KernelPath.FloatVector128,
    ];

    /// <summary>Whether this CPU (and this build) can run the instructions of <paramref name="path"/>.</summary>
    public static bool IsSupported(KernelPath path) => path switch
    {
        KernelPath.Scalar => true,
        KernelPath.Avx2 => Avx2IntDot.IsSupported,
        KernelPath.AvxVnni => VnniIntDot.IsSupported,
        KernelPath.Avx512 => Avx512BW.IsSupported && Avx512F.IsSupported && Avx2IntDot.IsSupported,
        KernelPath.NeonDot => SdotArm.IsSupported,
        KernelPath.Neon => WideningArm.IsSupported,
        KernelPath.NeonEmulated => EmulatedSdot.IsSupported,
        KernelPath.FloatVector => FloatDot.IsSupported,
        KernelPath.FloatVector128 => FloatDot128.IsSupported,
        _ => throw new NotSupportedException($"unknown kernel path {path}"),
    };
}
