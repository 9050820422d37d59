using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using EdgeLlm.Core.Tensors.Formats;

namespace EdgeLlm.Core.Tensors.X86;

/// <summary>
/// Interleaved Q4_0 (<see cref="InterleavedQ4_0"/>) × Q8_0 generation on AVX-512BW: one 512-bit load holds two of a block's
/// four 32-byte chunks, lanes 0-7 the rows' bytes of the first chunk and lanes 8-15 those of the second, so a block of
/// 8 rows costs two loads and four pmaddubsw where the 256-bit kernel needs four and eight. One group at a time.
/// </summary>
/// <remarks>
/// Generation reads every weight once per token from memory, and a group is one sequential stream of blocks (scales
/// beside their quants), the pattern the hardware prefetchers serve best: with it, one group per pass and no software
/// prefetch read fastest (bench --kernels from memory on the AVX-512 EPYC: ~20 GB/s, against ~16 with a prefetch 2 KiB
/// ahead, and ~12.5 for the old layout's quants and scales in two streams with four groups per pass). The activation
/// quads a chunk pair needs (quad k in lanes 0-7, quad k+1 in lanes 8-15) come from one 256-bit load of the block's 32
/// quants and a vpermd each. All four pmaddubsw of a block add in int16 (each at most 2·15·128, four of them within
/// ±32767) before one pmaddwd; the halves of the 16 int lanes are then added, and d_w·d_a applied, in 256 bits as the
/// AVX2 kernel does.
/// </remarks>
internal static unsafe class InterleavedQ4_0Avx512
{
    private const int AB = BlockQ8_0.Bytes;

    public static bool IsSupported => Avx512BW.IsSupported && Avx512F.IsSupported && Avx2IntDot.IsSupported;

    public static void Rows(byte* groups, int groupCount, byte* a, int n, float* results)
    {
        int nb = n / 32;
        long groupBytes = InterleavedQ4_0.GroupBytes(n);
        int* bias = stackalloc int[nb];
        float* dy = stackalloc float[nb];
        InterleavedQ4_0X86.PrepareActivation<Avx2IntDot>(a, nb, bias, dy);
        for (int g = 0; g < groupCount; g++)
            OneGroup(groups + g * groupBytes, nb, a + BlockQ8_0.Qs, bias, dy, results + g * 8);
    }

    /// <summary>vpermd controls: activation quads (k, k+1) for the chunk pairs (0,1), (2,3) and their high nibbles (4,5), (6,7).</summary>
    private static Vector512<int> Pair(int k) => Vector512.Create(Vector256.Create(k), Vector256.Create(k + 1));

    /// <summary>Σ over one block of 8 rows as 16 int16 pairs (lane r and lane r+8 are halves of row r).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<short> BlockPairs(byte* q, Vector512<sbyte> y01, Vector512<sbyte> y23, Vector512<sbyte> y45, Vector512<sbyte> y67)
    {
        Vector512<byte> mask = Vector512.Create((byte)0x0F);
        Vector512<byte> v0 = Vector512.Load(q), v1 = Vector512.Load(q + 64);
        Vector512<short> p = Avx512BW.MultiplyAddAdjacent(v0 & mask, y01);
        p += Avx512BW.MultiplyAddAdjacent(Avx512BW.ShiftRightLogical(v0.AsUInt16(), 4).AsByte() & mask, y45);
        p += Avx512BW.MultiplyAddAdjacent(v1 & mask, y23);
        p += Avx512BW.MultiplyAddAdjacent(Avx512BW.ShiftRightLogical(v1.AsUInt16(), 4).AsByte() & mask, y67);
        return p;
    }

    /// <summary>The 8 rows' integer sums of a block: the pmaddwd of its pairs, both halves added, plus the bias.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> RowSums(Vector512<short> pairs, Vector256<int> bias)
    {
        Vector512<int> s = Avx512BW.MultiplyAddAdjacent(pairs, Vector512.Create((short)1));
        return s.GetLower() + s.GetUpper() + bias;
    }

    private static void OneGroup(byte* q, int nb, byte* y, int* bias, float* dy, float* results)
    {
        Vector512<int> c01 = Pair(0), c23 = Pair(2), c45 = Pair(4), c67 = Pair(6);
        Vector256<float> acc = default;
        for (int b = 0; b < nb; b++, y += AB, q += InterleavedQ4_0.BlockBytes)
        {
            Vector512<int> quads = Vector256.Load((int*)y).ToVector512Unsafe();
            Vector512<sbyte> y01 = Avx512F.PermuteVar16x32(quads, c01).AsSByte(), y23 = Avx512F.PermuteVar16x32(quads, c23).AsSByte();
            Vector512<sbyte> y45 = Avx512F.PermuteVar16x32(quads, c45).AsSByte(), y67 = Avx512F.PermuteVar16x32(quads, c67).AsSByte();
            acc = Fma.MultiplyAdd(Avx.ConvertToVector256Single(RowSums(BlockPairs(q, y01, y23, y45, y67), Vector256.Create(bias[b]))),
                InterleavedQ4_0X86.Scales(q + InterleavedQ4_0.BlockQuantBytes, Vector256.Create(dy[b])), acc);
        }
        acc.Store(results);
    }
}
