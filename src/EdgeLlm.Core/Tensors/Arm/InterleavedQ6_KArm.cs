using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using EdgeLlm.Core.Tensors.Formats;

namespace EdgeLlm.Core.Tensors.Arm;

/// <summary>
/// Interleaved Q6_K (<see cref="InterleavedQ6_K"/>) × Q8_K on arm64 with SDOT, rows 0..3 and 4..7 in two registers; same
/// arithmetic as the x64 kernel. Needs a lane-exact SDOT (see <see cref="InterleavedQ4_0Arm"/>).
/// </summary>
internal static unsafe class InterleavedQ6_KArm
{
    private const int AB = BlockQ8_K.Bytes;

    public static void Rows<T>(byte* groups, int groupCount, byte* a, int n, float* results) where T : struct, IArmIntDot
    {
        int nb = n / BlockQ8_K.Elements;
        long groupBytes = InterleavedQ6_K.GroupBytes(n);
        for (int g = 0; g < groupCount; g++)
        {
            byte* q = groups + g * groupBytes;
            byte* meta = q + InterleavedQ6_K.BlockQuantBytes;
            Vector128<float> acc0 = default, acc1 = default;
            for (int b = 0; b < nb; b++, q += InterleavedQ6_K.BlockBytes, meta += InterleavedQ6_K.BlockBytes)
            {
                byte* y = a + b * AB + BlockQ8_K.Qs;
                short* bsums = (short*)(a + b * AB + BlockQ8_K.BSums);
                Vector128<int> is0 = default, is1 = default;
                for (int s4 = 0; s4 < 4; s4++)
                {
                    // Sub-blocks s4, 4 + s4, 8 + s4 and 12 + s4 (one per part): chunks m = 4·s4 .. 4·s4 + 3 of every part, each
                    // chunk's nibble and high-bit vectors loaded once for all four parts. Their activations are quadruplets
                    // 0..3 of one 16-byte load per part (by-element SDOT).
                    Vector128<int> b0 = Vector128.Create(-32 * bsums[s4]), b1 = Vector128.Create(-32 * bsums[4 + s4]);
                    Vector128<int> b2 = Vector128.Create(-32 * bsums[8 + s4]), b3 = Vector128.Create(-32 * bsums[12 + s4]);
                    Vector128<int> p00 = b0, p01 = b0, p10 = b1, p11 = b1, p20 = b2, p21 = b2, p30 = b3, p31 = b3;
                    sbyte* ys = (sbyte*)(y + 16 * s4);
                    Vector128<sbyte> y0 = Vector128.Load(ys), y1 = Vector128.Load(ys + 64), y2 = Vector128.Load(ys + 128), y3 = Vector128.Load(ys + 192);
                    byte* qm = q + InterleavedQ6_K.QuadBytes * s4;
                    Chunk<T>(qm, y0, y1, y2, y3, 0, ref p00, ref p01, ref p10, ref p11, ref p20, ref p21, ref p30, ref p31);
                    Chunk<T>(qm + 32, y0, y1, y2, y3, 1, ref p00, ref p01, ref p10, ref p11, ref p20, ref p21, ref p30, ref p31);
                    Chunk<T>(qm + 64, y0, y1, y2, y3, 2, ref p00, ref p01, ref p10, ref p11, ref p20, ref p21, ref p30, ref p31);
                    Chunk<T>(qm + 96, y0, y1, y2, y3, 3, ref p00, ref p01, ref p10, ref p11, ref p20, ref p21, ref p30, ref p31);
                    byte* sc = meta + InterleavedQ6_K.MetaScales + 8 * s4;
                    var (sc0, sc1) = Scales(sc);
                    is0 += p00 * sc0; is1 += p01 * sc1;
                    (sc0, sc1) = Scales(sc + 32);
                    is0 += p10 * sc0; is1 += p11 * sc1;
                    (sc0, sc1) = Scales(sc + 64);
                    is0 += p20 * sc0; is1 += p21 * sc1;
                    (sc0, sc1) = Scales(sc + 96);
                    is0 += p30 * sc0; is1 += p31 * sc1;
                }
                float dy = *(float*)(a + b * AB + BlockQ8_K.D);
                Vector128<short> d = Vector128.Load((short*)(meta + InterleavedQ6_K.MetaD));
                acc0 = Vector128.FusedMultiplyAdd(Vector128.ConvertToSingle(is0), Fp16.ToSingleByShift(Vector128.WidenLower(d)) * Vector128.Create(dy), acc0);
                acc1 = Vector128.FusedMultiplyAdd(Vector128.ConvertToSingle(is1), Fp16.ToSingleByShift(Vector128.WidenUpper(d)) * Vector128.Create(dy), acc1);
            }
            acc0.Store(results + g * 8);
            acc1.Store(results + g * 8 + 4);
        }
    }

    /// <summary>
    /// Chunk m (columns 4m.. of every part, 8 rows) at <paramref name="q"/> (<see cref="InterleavedQ6_K.Chunk"/>): its nibble, second nibble and high-bit chunks,
    /// unpacked into the four parts' 6-bit quants (0: low nibbles of m, 1: low of m + 16, 2: high of m, 3: high of m + 16, with
    /// high-bit pairs 0-1, 2-3, 4-5, 6-7) and dotted with quadruplet <paramref name="mm"/> of each part's activations into
    /// the sums pPR of part P, rows 0..3 (R = 0) and 4..7 (R = 1).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Chunk<T>(byte* q, Vector128<sbyte> y0, Vector128<sbyte> y1, Vector128<sbyte> y2, Vector128<sbyte> y3, [ConstantExpected(Max = 3)] byte mm,
        ref Vector128<int> p00, ref Vector128<int> p01, ref Vector128<int> p10, ref Vector128<int> p11,
        ref Vector128<int> p20, ref Vector128<int> p21, ref Vector128<int> p30, ref Vector128<int> p31) where T : struct, IArmIntDot
    {
        Vector128<byte> low = Vector128.Create((byte)0x0F), top = Vector128.Create((byte)0x30);
        Vector128<byte> n0 = Vector128.Load(q), n1 = Vector128.Load(q + 16);
        Vector128<byte> m0 = Vector128.Load(q + InterleavedQ6_K.SecondNibbles), m1 = Vector128.Load(q + InterleavedQ6_K.SecondNibbles + 16);
        Vector128<byte> h0 = Vector128.Load(q + InterleavedQ6_K.HighBits), h1 = Vector128.Load(q + InterleavedQ6_K.HighBits + 16);
        p00 = T.DotLane(p00, ((n0 & low) | ((h0 << 4) & top)).AsSByte(), y0, mm);
        p01 = T.DotLane(p01, ((n1 & low) | ((h1 << 4) & top)).AsSByte(), y0, mm);
        p10 = T.DotLane(p10, ((m0 & low) | ((h0 << 2) & top)).AsSByte(), y1, mm);
        p11 = T.DotLane(p11, ((m1 & low) | ((h1 << 2) & top)).AsSByte(), y1, mm);
        p20 = T.DotLane(p20, ((n0 >>> 4) | (h0 & top)).AsSByte(), y2, mm);
        p21 = T.DotLane(p21, ((n1 >>> 4) | (h1 & top)).AsSByte(), y2, mm);
        p30 = T.DotLane(p30, ((m0 >>> 4) | ((h0 >>> 2) & top)).AsSByte(), y3, mm);
        p31 = T.DotLane(p31, ((m1 >>> 4) | ((h1 >>> 2) & top)).AsSByte(), y3, mm);
    }

    /// <summary>Eight signed bytes (rows 0..7) as two int vectors (rows 0..3, 4..7).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector128<int>, Vector128<int>) Scales(byte* p)
    {
        Vector128<short> w = Vector128.WidenLower(Vector128.CreateScalar(*(ulong*)p).AsSByte());
        return (Vector128.WidenLower(w), Vector128.WidenUpper(w));
    }
}
