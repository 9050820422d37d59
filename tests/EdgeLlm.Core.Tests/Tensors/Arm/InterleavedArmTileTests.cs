using EdgeLlm.Core.Tensors;
using EdgeLlm.Core.Tensors.Arm;

namespace EdgeLlm.Core.Tests.Tensors.Arm;

/// <summary>
/// The arm64 prompt tiles (Pi 5) with SDOT emulated, so their logic is checked on the x64 test machine; the real SDOT
/// paths run in <c>selftest</c> under qemu cortex-a76. Token counts cover whole fours, leftovers and fewer than four
/// (all leftovers); saturated cases put every weight and activation at its extreme.
/// </summary>
public unsafe class InterleavedArmTileTests
{
    private delegate void Prepare(byte* act, nint stride, int tokens, int n, float* aux);
    private delegate void Run(byte* groups, int groupCount, byte* act, nint stride, int tokens, int n, float* aux, float* output, nint outStride);

    [Theory]
    [InlineData("Q4_0", 1, 4, 1, false)]
    [InlineData("Q4_0", 3, 5, 3, false)]
    [InlineData("Q4_0", 2, 9, 17, false)]
    [InlineData("Q4_0", 2, 3, 2, false)]
    [InlineData("Q4_0", 2, 7, 8, true)]
    [InlineData("Q4_0", 2, 12, 5, true)]
    [InlineData("Q4_K", 1, 4, 1, false)]
    [InlineData("Q4_K", 3, 5, 2, false)]
    [InlineData("Q4_K", 2, 9, 3, false)]
    [InlineData("Q4_K", 2, 3, 1, false)]
    [InlineData("Q4_K", 2, 7, 2, true)]
    [InlineData("Q4_K", 2, 12, 1, true)]
    [InlineData("Q6_K", 1, 4, 1, false)]
    [InlineData("Q6_K", 3, 5, 2, false)]
    [InlineData("Q6_K", 2, 9, 3, false)]
    [InlineData("Q6_K", 2, 3, 1, false)]
    [InlineData("Q6_K", 2, 7, 2, true)]
    [InlineData("Q6_K", 2, 12, 1, true)]
    public void Tile_with_emulated_sdot_matches_the_scalar_dot(string typeName, int groups, int tokens, int blocks, bool saturated)
    {
        var type = Enum.Parse<GgmlType>(typeName);
        var (prepare, run, auxPerBlock) = Kernels(type);
        var rng = new Random(31 * groups + tokens);
        int rows = groups * InterleavedDot.GroupRows, n = blocks * GgmlTypeInfo.BlockSize(type);
        byte[] w = KernelParity.RandomWeights(type, n, rows, rng);
        byte[] act = KernelParity.RandomActivations(type, n, tokens, rng, out int actBytes);
        if (saturated) KernelParity.Saturate(type, w, act);
        byte[] interleaved = InterleavedDot.Interleave(type, w, rows, n);
        var aux = new float[tokens * blocks * auxPerBlock]; // arm64's terms, not this machine's
        int stride = rows + 3;
        var results = new float[stride * tokens];
        fixed (byte* g = interleaved, a = act)
        fixed (float* x = aux, r = results)
        {
            prepare(a, actBytes, tokens, n, x);
            run(g, groups, a, actBytes, tokens, n, x, r, stride);
        }
        KernelParity.CheckResults($"arm64 {type} tile [emulated sdot] groups={groups} tokens={tokens}", type, n, w, rows, act, tokens, results, stride);
        // Same arithmetic in the same order as generation's kernel: equal bits, token by token.
        var single = new float[rows];
        for (int t = 0; t < tokens; t++)
        {
            InterleavedDot.RowsWith(KernelPath.NeonEmulated, type, interleaved, groups, act.AsSpan(t * actBytes, actBytes), n, single);
            for (int r = 0; r < rows; r++)
                Assert.True(BitConverter.SingleToInt32Bits(single[r]) == BitConverter.SingleToInt32Bits(results[t * stride + r]),
                    $"token {t} row {r}: tile {results[t * stride + r]:R}, generation kernel {single[r]:R}");
        }
    }

    private static (Prepare, Run, int) Kernels(GgmlType type) => type switch
    {
        GgmlType.Q4_0 => (InterleavedQ4_0Arm.PrepareTile, InterleavedQ4_0Arm.Tile<EmulatedSdot>, InterleavedQ4_0Arm.TileAuxPerBlock),
        GgmlType.Q4_K => (InterleavedQ4_KArm.PrepareTile, InterleavedQ4_KArm.Tile<EmulatedSdot>, InterleavedQ4_KArm.TileAuxPerBlock),
        GgmlType.Q6_K => (InterleavedQ6_KArm.PrepareTile, InterleavedQ6_KArm.Tile<EmulatedSdot>, InterleavedQ6_KArm.TileAuxPerBlock),
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };
}
