using EdgeLlm.Core.Tensors;
using EdgeLlm.Core.Tensors.Arm;
using EdgeLlm.Core.Tensors.Formats;

namespace EdgeLlm.Core.Tests.Tensors.Arm;

/// <summary>
/// The arm64 Q8_0 row kernel (<see cref="Q8_0Arm"/>) on x64: its widening (Cortex-A72) form through the portable
/// <see cref="Neon"/> helpers and its SDOT (Cortex-A76) form with <see cref="EmulatedSdot"/>, against the scalar dot, on
/// uneven row counts, saturated quants, fp16 scales at their edges, and rows longer than one chunk of activation scales.
/// The real NEON and SDOT instructions run in <c>selftest</c> under qemu cortex-a72 and cortex-a76.
/// </summary>
public unsafe class Q8_0ArmTests
{
    public static TheoryData<bool, int, int, bool> Shapes() => new()
    {
        { true, 4, 1, false },
        { true, 7, 3, false },
        { true, 13, 17, false },
        { true, 8, 8, true },
        { true, 3, 2, true },
        { true, 1, 5, false },
        { false, 4, 1, false },
        { false, 7, 3, false },
        { false, 9, 8, true },
        { false, 2, 2, false },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Rows_match_the_scalar_dot(bool widening, int rows, int blocks, bool saturated)
    {
        var rng = new Random(31 * rows + blocks + (widening ? 1000 : 0));
        int n = blocks * BlockQ8_0.Elements;
        byte[] w = KernelParity.RandomWeights(GgmlType.Q8_0, n, rows, rng);
        byte[] act = KernelParity.RandomActivations(GgmlType.Q8_0, n, 1, rng, out _);
        if (saturated) KernelParity.Saturate(GgmlType.Q8_0, w, act);
        Check(widening, $"saturated={saturated}", w, rows, act, n);
    }

    /// <summary>Every quant −128, activations too (no quantizer here makes them, but the arm64 kernels are exact there: one product per int16 lane at most).</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void All_minus_128_matches_the_scalar_dot(bool widening)
    {
        var rng = new Random(widening ? 3 : 4);
        const int rows = 5, n = 6 * BlockQ8_0.Elements;
        byte[] w = KernelParity.RandomWeights(GgmlType.Q8_0, n, rows, rng);
        byte[] act = KernelParity.RandomActivations(GgmlType.Q8_0, n, 1, rng, out _);
        for (int b = 0; b < w.Length; b += BlockQ8_0.Bytes) w.AsSpan(b + BlockQ8_0.Qs, 32).Fill(0x80);
        for (int b = 0; b < act.Length; b += BlockQ8_0.Bytes) act.AsSpan(b + BlockQ8_0.Qs, 32).Fill(0x80);
        Check(widening, "all -128", w, rows, act, n);
    }

    /// <summary>Weight and activation scales at the edges of fp16 (zero, subnormal, negative, the largest finite): the shift conversion's cases.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Edge_scales_match_the_scalar_dot(bool widening)
    {
        var rng = new Random(widening ? 5 : 6);
        ushort[] edgeScales = [0x0000, 0x0001, 0x03FF, 0x0400, 0x8001, 0xBC00, 0x7BFF, 0xFBFF, 0x3C00];
        const int rows = 7, blocks = 9, n = blocks * BlockQ8_0.Elements;
        byte[] w = KernelParity.RandomWeights(GgmlType.Q8_0, n, rows, rng);
        for (int i = 0; i < rows * blocks; i++) BitConverter.TryWriteBytes(w.AsSpan(i * BlockQ8_0.Bytes + BlockQ8_0.D, 2), edgeScales[i % edgeScales.Length]);
        foreach (ushort activationScale in new ushort[] { 0x2E66, 0x7BFF, 0x0001, 0x8400 })
        {
            byte[] act = KernelParity.RandomActivations(GgmlType.Q8_0, n, 1, rng, out _);
            for (int b = 0; b < blocks; b++) BitConverter.TryWriteBytes(act.AsSpan(b * BlockQ8_0.Bytes + BlockQ8_0.D, 2), activationScale);
            Check(widening, $"activation scale 0x{activationScale:X4}", w, rows, act, n);
        }
    }

    /// <summary>Rows of more blocks than <see cref="Q8_0Arm.ChunkBlocks"/>: later chunks add to the sums of earlier ones, the remainder rows too.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Rows_longer_than_a_chunk_match_the_scalar_dot(bool widening)
    {
        var rng = new Random(widening ? 77 : 78);
        const int rows = 6;
        int n = (2 * Q8_0Arm.ChunkBlocks + 3) * BlockQ8_0.Elements;
        byte[] w = KernelParity.RandomWeights(GgmlType.Q8_0, n, rows, rng);
        byte[] act = KernelParity.RandomActivations(GgmlType.Q8_0, n, 1, rng, out _);
        Check(widening, "long", w, rows, act, n);
    }

    /// <summary>The SDOT prompt tile (<see cref="Q8_0TileArm"/>) with SDOT emulated: token counts with and without leftovers after whole fours.</summary>
    [Theory]
    [InlineData(8, 4, 1, false)]
    [InlineData(8, 5, 3, false)]
    [InlineData(24, 9, 17, false)]
    [InlineData(16, 7, 8, true)]
    [InlineData(8, 8, 2, true)]
    [InlineData(16, 12, 5, false)]
    [InlineData(8, 19, 4, true)]
    public void Tile_with_emulated_sdot_matches_the_scalar_dot(int rows, int tokens, int blocks, bool saturated)
    {
        var rng = new Random(13 * rows + tokens + blocks);
        int n = blocks * BlockQ8_0.Elements;
        byte[] w = KernelParity.RandomWeights(GgmlType.Q8_0, n, rows, rng);
        byte[] act = KernelParity.RandomActivations(GgmlType.Q8_0, n, tokens, rng, out int actBytes);
        if (saturated) KernelParity.Saturate(GgmlType.Q8_0, w, act);
        var aux = new float[tokens * blocks * Q8_0TileArm.AuxPerBlock];
        int stride = rows + 3;
        var results = new float[stride * tokens];
        nint rowBytes = (nint)GgmlTypeInfo.RowBytes(GgmlType.Q8_0, n);
        fixed (byte* pw = w, pa = act)
        fixed (float* x = aux, r = results)
        {
            Q8_0TileArm.Prepare(pa, actBytes, tokens, n, x);
            Q8_0TileArm.Run<EmulatedSdot>(pw, rowBytes, rows, pa, actBytes, tokens, n, x, r, stride, null);
        }
        KernelParity.CheckResults($"arm64 Q8_0 tile [emulated sdot] rows={rows} tokens={tokens}", GgmlType.Q8_0, n, w, rows, act, tokens, results, stride);
    }

    private static void Check(bool widening, string what, byte[] w, int rows, byte[] act, int n)
    {
        var results = new float[rows];
        nint rowBytes = (nint)GgmlTypeInfo.RowBytes(GgmlType.Q8_0, n);
        fixed (byte* pw = w, pa = act)
        fixed (float* r = results)
        {
            if (widening) Q8_0Arm.Rows<WideningArm>(pw, rowBytes, rows, pa, n, r);
            else Q8_0Arm.Rows<EmulatedSdot>(pw, rowBytes, rows, pa, n, r);
        }
        KernelParity.CheckResults($"arm64 Q8_0 {(widening ? "widening" : "sdot")} rows={rows} {what}", GgmlType.Q8_0, n, w, rows, act, 1, results, rows);
    }
}
