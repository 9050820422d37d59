using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using EdgeLlm.Core.Tensors;
using EdgeLlm.Core.Tensors.X86;

namespace EdgeLlm.Core.Tests.Tensors.X86;

/// <summary>
/// The interleaved x64 kernels with VNNI's arithmetic (an int per lane from the first product on, scales by vpmulld),
/// built from AVX2 instructions. This machine kind has no AVX-VNNI and QEMU cannot emulate it, so this is how the kernel
/// code that <see cref="VnniIntDot"/> drives is checked against the scalar reference here; the instructions themselves
/// are checked by <c>selftest</c> on a VNNI machine.
/// </summary>
public unsafe class Int32PartialsTests
{
    private readonly struct Int32Partials : IX86IntDot
    {
        public static bool IsSupported => Avx2.IsSupported && Fma.IsSupported;
        public static string Name => "int32 partials";

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<int> DotU8I8(Vector256<int> acc, Vector256<byte> u, Vector256<sbyte> s) =>
            acc + Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(u, s), Vector256.Create((short)1));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<int> MaddI16(Vector256<int> acc, Vector256<short> a, Vector256<short> b) => acc + Avx2.MultiplyAddAdjacent(a, b);

        public static Vector256<int> Partial(Vector256<int> partial, Vector256<byte> u, Vector256<sbyte> s) => DotU8I8(partial, u, s);

        public static Vector256<int> Finish(Vector256<int> acc, Vector256<int> partial) => acc + partial;

        public static Vector256<int> FinishScaled(Vector256<int> acc, Vector256<int> partial, Vector256<int> scale) => acc + Avx2.MultiplyLow(partial, scale);
    }

    public static TheoryData<GgmlType, int, int, bool> Cases() => new()
    {
        { GgmlType.Q4_0, 3, 40, false }, { GgmlType.Q4_0, 2, 8, true },
        { GgmlType.Q4_K, 3, 3, false }, { GgmlType.Q4_K, 2, 2, true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Rows_and_tile_match_the_scalar_dot(GgmlType type, int groups, int blocks, bool saturated)
    {
        Assert.True(Int32Partials.IsSupported, "the x64 test machine has AVX2");
        var rng = new Random(99);
        int rows = groups * InterleavedDot.GroupRows, n = blocks * GgmlTypeInfo.BlockSize(type), tokens = 6;
        byte[] w = KernelParity.RandomWeights(type, n, rows, rng);
        byte[] act = KernelParity.RandomActivations(type, n, tokens, rng, out int actBytes);
        if (saturated) KernelParity.Saturate(type, w, act);
        byte[] groupsBytes = InterleavedDot.Interleave(type, w, rows, n);
        var aux = new float[InterleavedDot.TileAuxLength(type, tokens, n)];
        InterleavedDot.TilePrepare(type, act, actBytes, tokens, n, aux);
        var tile = new float[rows * tokens];
        var single = new float[rows * tokens];
        fixed (byte* g = groupsBytes, a = act)
        fixed (float* x = aux, t = tile, s = single)
        {
            if (type == GgmlType.Q4_0) InterleavedQ4_0X86.Tile<Int32Partials>(g, groups, a, actBytes, tokens, n, x, t, rows);
            else InterleavedQ4_KX86.Tile<Int32Partials>(g, groups, a, actBytes, tokens, n, x, t, rows);
            for (int k = 0; k < tokens; k++)
                if (type == GgmlType.Q4_0) InterleavedQ4_0X86.Rows<Int32Partials>(g, groups, a + k * actBytes, n, s + k * rows);
                else InterleavedQ4_KX86.Rows<Int32Partials>(g, groups, a + k * actBytes, n, s + k * rows);
        }
        KernelParity.CheckResults($"{type} tile, int32 partials", type, n, w, rows, act, tokens, tile, rows);
        KernelParity.CheckResults($"{type} rows, int32 partials", type, n, w, rows, act, tokens, single, rows);
    }
}
