using EdgeLlm.Core.Tensors;
using EdgeLlm.Core.Tensors.Arm;

namespace EdgeLlm.Core.Tests.Tensors.Arm;

/// <summary>
/// The arm64 Q4_0 prompt tile (Pi 5) with SDOT emulated, so its logic is checked on the x64 test machine; the real SDOT
/// path runs in <c>selftest</c> under qemu cortex-a76.
/// </summary>
public unsafe class InterleavedQ4_0ArmTileTests
{
    [Theory]
    [InlineData(1, 4, 1, false)]
    [InlineData(3, 5, 3, false)]
    [InlineData(2, 9, 17, false)]
    [InlineData(2, 7, 8, true)]
    [InlineData(2, 12, 5, true)]
    public void Tile_with_emulated_sdot_matches_the_scalar_dot(int groups, int tokens, int blocks, bool saturated)
    {
        var rng = new Random(31 * groups + tokens);
        int rows = groups * InterleavedDot.GroupRows, n = blocks * 32;
        byte[] w = KernelParity.RandomWeights(GgmlType.Q4_0, n, rows, rng);
        byte[] act = KernelParity.RandomActivations(GgmlType.Q4_0, n, tokens, rng, out int actBytes);
        if (saturated) KernelParity.Saturate(GgmlType.Q4_0, w, act);
        byte[] interleaved = InterleavedDot.Interleave(GgmlType.Q4_0, w, rows, n);
        var aux = new float[tokens * blocks * InterleavedQ4_0Arm.TileAuxPerBlock]; // arm64's terms, not this machine's
        int stride = rows + 3;
        var results = new float[stride * tokens];
        fixed (byte* g = interleaved, a = act)
        fixed (float* x = aux, r = results)
        {
            InterleavedQ4_0Arm.PrepareTile(a, actBytes, tokens, n, x);
            InterleavedQ4_0Arm.Tile<EmulatedSdot>(g, groups, a, actBytes, tokens, n, x, r, stride);
        }
        KernelParity.CheckResults($"arm64 Q4_0 tile [emulated sdot] groups={groups} tokens={tokens}", GgmlType.Q4_0, n, w, rows, act, tokens, results, stride);
    }
}
