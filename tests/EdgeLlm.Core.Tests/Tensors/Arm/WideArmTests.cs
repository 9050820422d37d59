using EdgeLlm.Core.Tensors;
using EdgeLlm.Core.Tensors.Arm;

namespace EdgeLlm.Core.Tests.Tensors.Arm;

/// <summary>
/// The Cortex-A72 (no SDOT) row-major kernels through their portable equivalents of each NEON instruction
/// (<see cref="Neon"/>), so their logic is checked on the x64 test machine; the NEON path runs in <c>selftest</c> under
/// qemu cortex-a72.
/// </summary>
public unsafe class WideArmTests
{
    public static TheoryData<GgmlType, int, int, bool> Shapes() => new()
    {
        { GgmlType.Q4_0, 4, 1, false },
        { GgmlType.Q4_0, 7, 3, false },
        { GgmlType.Q4_0, 13, 17, false },
        { GgmlType.Q4_0, 8, 8, true },
        { GgmlType.Q4_0, 3, 2, false },
        { GgmlType.Q6_K, 4, 1, false },
        { GgmlType.Q6_K, 7, 3, false },
        { GgmlType.Q6_K, 8, 2, true },
        { GgmlType.Q6_K, 2, 1, false },
        { GgmlType.Q4_K, 4, 1, false },
        { GgmlType.Q4_K, 7, 3, false },
        { GgmlType.Q4_K, 8, 2, true },
        { GgmlType.Q4_K, 1, 2, false },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Rows_match_the_scalar_dot(GgmlType type, int rows, int blocks, bool saturated)
    {
        var rng = new Random(17 * rows + blocks);
        int n = blocks * GgmlTypeInfo.BlockSize(type);
        byte[] w = KernelParity.RandomWeights(type, n, rows, rng);
        byte[] act = KernelParity.RandomActivations(type, n, 1, rng, out _);
        if (saturated) KernelParity.Saturate(type, w, act);
        var results = new float[rows];
        nint rowBytes = (nint)GgmlTypeInfo.RowBytes(type, n);
        fixed (byte* pw = w, pa = act)
        fixed (float* r = results)
        {
            if (type == GgmlType.Q4_0) Q4_0WideArm.Rows(pw, rowBytes, rows, pa, n, r);
            else if (type == GgmlType.Q6_K) Q6_KWideArm.Rows(pw, rowBytes, rows, pa, n, r);
            else if (type == GgmlType.Q4_K) Q4_KWideArm.Rows(pw, rowBytes, rows, pa, n, r);
            else throw new ArgumentOutOfRangeException(nameof(type));
        }
        KernelParity.CheckResults($"arm64 {type} widening rows={rows} blocks={blocks}", type, n, w, rows, act, 1, results, rows);
    }
}
