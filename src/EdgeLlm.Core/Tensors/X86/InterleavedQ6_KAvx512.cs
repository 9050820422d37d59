using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using EdgeLlm.Core.Tensors.Formats;

namespace EdgeLlm.Core.Tensors.X86;

/// <summary>
/// Interleaved Q6_K (<see cref="InterleavedQ6_K"/>) × Q8_K generation on AVX-512BW, one row group at a time: each 512-bit
/// load holds two neighbouring chunks (lanes 0-7 chunk m, lanes 8-15 chunk m+1, both in the same 16-column sub-block), so
/// three loads give four vectors of 6-bit quants for 8 columns of 8 rows.
/// </summary>
/// <remarks>
/// The Q6_K output matrix of a Llama 3.2 model (a 128K vocabulary) is over a quarter of the bytes a token reads, and the
/// 256-bit kernel walked one group at a time with one pmaddwd per pmaddubsw. Here the two pmaddubsw of a sub-block quarter
/// add in int16 first (each at most 2·63·128, two within ±32767), one pmaddwd widens them, and the sub-block's −32·Σy
/// bias enters the low half only (lanes r and r+8 are halves of row r's sum, added once per block). The scale multiply
/// stays in integers as in the 256-bit kernel, on the scale bytes duplicated into both halves. One group per pass reads
/// the weights as one sequential stream, which memory serves fastest (see <see cref="InterleavedQ4_0"/>); bench --kernels
/// from memory on the AVX-512 EPYC: two groups per pass with the old two-stream layout ~9 GB/s, one group now ~19.
/// </remarks>
internal static unsafe class InterleavedQ6_KAvx512
{
    private const int AB = BlockQ8_K.Bytes;

    public static bool IsSupported => Avx512BW.IsSupported && Avx512F.IsSupported && Avx2IntDot.IsSupported;

    public static void Rows(byte* groups, int groupCount, byte* a, int n, float* results)
    {
        int nb = n / BlockQ8_K.Elements;
        long groupBytes = InterleavedQ6_K.GroupBytes(n);
        int* bias = stackalloc int[nb * InterleavedQ6_KX86.AuxPerBlock];
        InterleavedQ6_KX86.Prepare(a, 0, 1, n, (float*)bias);
        for (int g = 0; g < groupCount; g++)
            OneGroup(groups + g * groupBytes, nb, a, bias, results + g * 8);
    }

    /// <summary>vpermd control: int k of the source in lanes 0-7, int k+1 in lanes 8-15.</summary>
    private static Vector512<int> Pair(int k) => Vector512.Create(Vector256.Create(k), Vector256.Create(k + 1));

    /// <summary>One group of 8 rows over all blocks.</summary>
    private static void OneGroup(byte* q, int nb, byte* a, int* bias, float* results)
    {
        const int meta = InterleavedQ6_K.BlockQuantBytes; // from a block's quants to its metadata
        Vector512<int> first = Pair(0), second = Pair(2);
        Vector256<float> acc = default;
        for (int b = 0; b < nb; b++, q += InterleavedQ6_K.BlockBytes)
        {
            byte* y = a + b * AB + BlockQ8_K.Qs;
            int* bb = bias + b * 16;
            Vector512<int> isum = default;
            for (int sb = 0; sb < 4; sb++)
            {
                // The sub-block's 16 activation bytes of each quarter; pair 0 is chunks (4sb, 4sb+1), pair 1 (4sb+2, 4sb+3).
                Vector512<int> ya = Vector128.Load((int*)(y + 16 * sb)).ToVector256Unsafe().ToVector512Unsafe();
                Vector512<int> yb = Vector128.Load((int*)(y + 64 + 16 * sb)).ToVector256Unsafe().ToVector512Unsafe();
                Vector512<int> yc = Vector128.Load((int*)(y + 128 + 16 * sb)).ToVector256Unsafe().ToVector512Unsafe();
                Vector512<int> yd = Vector128.Load((int*)(y + 192 + 16 * sb)).ToVector256Unsafe().ToVector512Unsafe();
                Vector512<sbyte> ya0 = Avx512F.PermuteVar16x32(ya, first).AsSByte(), ya1 = Avx512F.PermuteVar16x32(ya, second).AsSByte();
                Vector512<sbyte> yb0 = Avx512F.PermuteVar16x32(yb, first).AsSByte(), yb1 = Avx512F.PermuteVar16x32(yb, second).AsSByte();
                Vector512<sbyte> yc0 = Avx512F.PermuteVar16x32(yc, first).AsSByte(), yc1 = Avx512F.PermuteVar16x32(yc, second).AsSByte();
                Vector512<sbyte> yd0 = Avx512F.PermuteVar16x32(yd, first).AsSByte(), yd1 = Avx512F.PermuteVar16x32(yd, second).AsSByte();
                Vector512<int> ba = LowHalf(bb[sb]), bB = LowHalf(bb[4 + sb]), bc = LowHalf(bb[8 + sb]), bd = LowHalf(bb[12 + sb]);
                isum = SubBlock(isum, q, q + meta, sb, ya0, ya1, yb0, yb1, yc0, yc1, yd0, yd1, ba, bB, bc, bd);
            }
            acc = Accumulate(acc, isum, q + meta, Vector256.Create(*(float*)(a + b * AB + BlockQ8_K.D)));
        }
        acc.Store(results);
    }

    /// <summary>acc + the block's 8 row sums (both halves of isum) times d_w·d_a.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Accumulate(Vector256<float> acc, Vector512<int> isum, byte* meta, Vector256<float> dy) =>
        Fma.MultiplyAdd(Avx.ConvertToVector256Single(isum.GetLower() + isum.GetUpper()), InterleavedQ4_0X86.Halves(meta + InterleavedQ6_K.MetaD) * dy, acc);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> LowHalf(int value) => Vector256.Create(value).ToVector512();

    /// <summary>isum + Σ over the four quarters of sub-block sb (columns 16sb.., 64+16sb.., 128+16sb.., 192+16sb..) of scale·(bias + q·y).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> SubBlock(Vector512<int> isum, byte* q, byte* meta, int sb,
        Vector512<sbyte> ya0, Vector512<sbyte> ya1, Vector512<sbyte> yb0, Vector512<sbyte> yb1,
        Vector512<sbyte> yc0, Vector512<sbyte> yc1, Vector512<sbyte> yd0, Vector512<sbyte> yd1,
        Vector512<int> ba, Vector512<int> bB, Vector512<int> bc, Vector512<int> bd)
    {
        Vector512<short> pa, pb, pc, pd;
        Quants(q, 4 * sb, out var va, out var vb, out var vc, out var vd);
        pa = Avx512BW.MultiplyAddAdjacent(va, ya0);
        pb = Avx512BW.MultiplyAddAdjacent(vb, yb0);
        pc = Avx512BW.MultiplyAddAdjacent(vc, yc0);
        pd = Avx512BW.MultiplyAddAdjacent(vd, yd0);
        Quants(q, 4 * sb + 2, out va, out vb, out vc, out vd);
        pa += Avx512BW.MultiplyAddAdjacent(va, ya1);
        pb += Avx512BW.MultiplyAddAdjacent(vb, yb1);
        pc += Avx512BW.MultiplyAddAdjacent(vc, yc1);
        pd += Avx512BW.MultiplyAddAdjacent(vd, yd1);
        Vector512<short> one = Vector512.Create((short)1);
        return isum
            + Avx512F.MultiplyLow(Avx512BW.MultiplyAddAdjacent(pa, one) + ba, Scale(meta, sb))
            + Avx512F.MultiplyLow(Avx512BW.MultiplyAddAdjacent(pb, one) + bB, Scale(meta, 4 + sb))
            + Avx512F.MultiplyLow(Avx512BW.MultiplyAddAdjacent(pc, one) + bc, Scale(meta, 8 + sb))
            + Avx512F.MultiplyLow(Avx512BW.MultiplyAddAdjacent(pd, one) + bd, Scale(meta, 12 + sb));
    }

    /// <summary>The 8 rows' signed scales of sub-block j in lanes 0-7 and again in 8-15.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Scale(byte* meta, int j) =>
        Avx512F.ConvertToVector512Int32(Vector128.Create(*(long*)(meta + InterleavedQ6_K.MetaScales + 8 * j)).AsSByte());

    /// <summary>The four vectors of 6-bit quants of chunks m and m+1 (m even): columns 4m.., 64 + 4m.., 128 + 4m.., 192 + 4m...</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Quants(byte* q, int m, out Vector512<byte> va, out Vector512<byte> vb, out Vector512<byte> vc, out Vector512<byte> vd)
    {
        Vector512<byte> low = Vector512.Create((byte)0x0F), top = Vector512.Create((byte)0x30);
        byte* chunk = q + InterleavedQ6_K.Chunk(m); // chunks m and m + 1 (m even) are neighbours
        Vector512<byte> l0 = Vector512.Load(chunk), l1 = Vector512.Load(chunk + InterleavedQ6_K.SecondNibbles);
        Vector512<ushort> h = Vector512.Load((ushort*)(chunk + InterleavedQ6_K.HighBits));
        va = (l0 & low) | (Avx512BW.ShiftLeftLogical(h, 4).AsByte() & top);
        vb = (l1 & low) | (Avx512BW.ShiftLeftLogical(h, 2).AsByte() & top);
        vc = (Avx512BW.ShiftRightLogical(l0.AsUInt16(), 4).AsByte() & low) | (h.AsByte() & top);
        vd = (Avx512BW.ShiftRightLogical(l1.AsUInt16(), 4).AsByte() & low) | (Avx512BW.ShiftRightLogical(h, 2).AsByte() & top);
    }
}
