using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using EdgeLlm.Core.Tensors.Formats;

namespace EdgeLlm.Core.Tensors.X86;

/// <summary>
/// Interleaved Q6_K (<see cref="InterleavedQ6_K"/>) × Q8_K on x64: one row per 256-bit int lane. Three loads give four
/// vectors of 6-bit quants; each 16-column sub-block's sum starts at −32·Σy and is scaled by the rows' signed scales in
/// integers, so a block needs one conversion and one FMA per 8 rows.
/// </summary>
internal static unsafe class InterleavedQ6_KX86
{
    private const int AB = BlockQ8_K.Bytes;
    private const int GroupBlockBytes = InterleavedQ6_K.BlockQuantBytes + InterleavedQ6_K.BlockMetaBytes;

    public static void Rows<T>(byte* groups, int groupCount, byte* a, int n, float* results) where T : struct, IX86IntDot
    {
        int nb = n / BlockQ8_K.Elements;
        long groupBytes = InterleavedQ6_K.GroupBytes(n);
        int* bias = stackalloc int[nb * 16];
        for (int b = 0; b < nb; b++)
        {
            short* bsums = (short*)(a + b * AB + BlockQ8_K.BSums);
            for (int s = 0; s < 16; s++) bias[b * 16 + s] = -32 * bsums[s];
        }
        for (int g = 0; g < groupCount; g++)
            OneGroup<T>(groups + g * groupBytes, nb, a, bias, results + g * 8);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<sbyte> Quad(byte* y) => Vector256.Create(*(int*)y).AsSByte();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Scale(byte* meta, int subBlock) => Avx2.ConvertToVector256Int32((sbyte*)(meta + InterleavedQ6_K.MetaScales + 8 * subBlock));

    private static void OneGroup<T>(byte* q, int nb, byte* a, int* bias, float* output) where T : struct, IX86IntDot
    {
        byte* meta = q + nb * InterleavedQ6_K.BlockQuantBytes;
        Vector256<byte> low = Vector256.Create((byte)0x0F), top = Vector256.Create((byte)0x30);
        Vector256<float> acc = default;
        for (int b = 0; b < nb; b++, q += InterleavedQ6_K.BlockQuantBytes, meta += InterleavedQ6_K.BlockMetaBytes)
        {
            byte* y = a + b * AB + BlockQ8_K.Qs;
            int* bb = bias + b * 16;
            Vector256<int> isum = default;
            for (int sb = 0; sb < 4; sb++)
            {
                // The same lines one block ahead: the hardware prefetcher stops at 4 KiB page boundaries.
                Sse.Prefetch0(q + GroupBlockBytes + 128 * sb);
                Sse.Prefetch0(q + GroupBlockBytes + 128 * sb + 64);
                Sse.Prefetch0(q + GroupBlockBytes + 512 + 128 * sb);
                Sse.Prefetch0(q + GroupBlockBytes + 512 + 128 * sb + 64);
                Sse.Prefetch0(q + GroupBlockBytes + InterleavedQ6_K.HighPlane + 128 * sb);
                Sse.Prefetch0(q + GroupBlockBytes + InterleavedQ6_K.HighPlane + 128 * sb + 64);
                Vector256<int> sa = Vector256.Create(bb[sb]), sB = Vector256.Create(bb[4 + sb]);
                Vector256<int> sc = Vector256.Create(bb[8 + sb]), sd = Vector256.Create(bb[12 + sb]);
                for (int mm = 0; mm < 4; mm++)
                {
                    int m = 4 * sb + mm;
                    Vector256<byte> l0 = Vector256.Load(q + 32 * m), l1 = Vector256.Load(q + 32 * (m + 16));
                    Vector256<ushort> h = Vector256.Load((ushort*)(q + InterleavedQ6_K.HighPlane + 32 * m));
                    Vector256<byte> va = (l0 & low) | (Avx2.ShiftLeftLogical(h, 4).AsByte() & top);
                    Vector256<byte> vb = (l1 & low) | (Avx2.ShiftLeftLogical(h, 2).AsByte() & top);
                    Vector256<byte> vc = (Avx2.ShiftRightLogical(l0.AsUInt16(), 4).AsByte() & low) | (h.AsByte() & top);
                    Vector256<byte> vd = (Avx2.ShiftRightLogical(l1.AsUInt16(), 4).AsByte() & low) | (Avx2.ShiftRightLogical(h, 2).AsByte() & top);
                    sa = T.DotU8I8(sa, va, Quad(y + 4 * m));
                    sB = T.DotU8I8(sB, vb, Quad(y + 64 + 4 * m));
                    sc = T.DotU8I8(sc, vc, Quad(y + 128 + 4 * m));
                    sd = T.DotU8I8(sd, vd, Quad(y + 192 + 4 * m));
                }
                isum += Avx2.MultiplyLow(sa, Scale(meta, sb)) + Avx2.MultiplyLow(sB, Scale(meta, 4 + sb))
                      + Avx2.MultiplyLow(sc, Scale(meta, 8 + sb)) + Avx2.MultiplyLow(sd, Scale(meta, 12 + sb));
            }
            float dy = *(float*)(a + b * AB + BlockQ8_K.D);
            acc = Fma.MultiplyAdd(Avx.ConvertToVector256Single(isum), InterleavedQ4_0X86.Halves(meta + InterleavedQ6_K.MetaD) * Vector256.Create(dy), acc);
        }
        acc.Store(output);
    }
}
