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
    /// <summary>Portable 128-bit float kernels (F32, F16, BF16): arm64's float path.</summary>
    FloatVector128,
}
