using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using EdgeLlm.Core.Tensors.Formats;

namespace EdgeLlm.Core.Tensors.Arm;

/// <summary>
/// Q4_K × Q8_K row-major on plain NEON without SDOT (Cortex-A72, Raspberry Pi 4), four rows per pass:
/// <list type="bullet">
/// <item>each 32-weight sub-block's products go into int16 lanes four at a time (at most 4·15·128 = 7,680), and its 6-bit
/// scale is applied while widening them into the row's int32 sum (smlal/smlal2 by element);</item>
/// <item>a chunk's activations (64 values) are loaded once for the four rows;</item>
/// <item>the mins' correction is a widening multiply of the eight mins with the eight 32-value activation sums;</item>
/// <item>four rows' sums (scaled and mins) fold by addp into one vector each, for one conversion and one FMA per block,
/// and the four rows' d and dmin are loaded by lane and converted together.</item>
/// </list>
/// </summary>
internal static unsafe class Q4_KWideArm
{
    private const int WB = BlockQ4_K.Bytes, AB = BlockQ8_K.Bytes;

    public static void Rows(byte* w, nint rowBytes, int rows, byte* a, int n, float* results)
    {
        int nb = n / 256, r = 0;
        // Parameters, not constants: the JIT would rematerialize a constant vector in every iteration.
        Vector128<int> signMask = Vector128.Create(unchecked((int)0x8FFFE000));
        Vector128<byte> low = Vector128.Create((byte)0x0F);
        for (; r + 4 <= rows; r += 4)
        {
            byte* x = w + r * rowBytes;
            Four(x, x + rowBytes, x + 2 * rowBytes, x + 3 * rowBytes, a, nb, signMask, low, results + r);
        }
        if (r < rows)
        {
            // One to three rows left: a pass of four with the last row repeated, of which only the real rows are kept.
            float* rest = stackalloc float[4];
            byte* last = w + (rows - 1) * rowBytes;
            byte* x = w + r * rowBytes;
            Four(x, r + 1 < rows ? x + rowBytes : last, r + 2 < rows ? x + 2 * rowBytes : last, last, a, nb, signMask, low, rest);
            for (int i = 0; r + i < rows; i++) results[r + i] = rest[i];
        }
    }

    private static void Four(byte* x0, byte* x1, byte* x2, byte* x3, byte* a, int nb, Vector128<int> signMask, Vector128<byte> low, float* results)
    {
        Vector128<float> acc = default, minAcc = default;
        Vector128<float> twoPow112 = Vector128.Create(Fp16.TwoPow112);
        for (int ib = 0; ib < nb; ib++)
        {
            byte* y = a + ib * AB;
            // The eight 32-value activation sums (adjacent group sums; at most 32·128: int16).
            Vector128<short> gs = Neon.AddPairs(Vector128.Load((short*)(y + BlockQ8_K.BSums)), Vector128.Load((short*)(y + BlockQ8_K.BSums + 16)));
            Vector128<short> sc0 = ScalesMins(x0, gs, out Vector128<int> m0), sc1 = ScalesMins(x1, gs, out Vector128<int> m1);
            Vector128<short> sc2 = ScalesMins(x2, gs, out Vector128<int> m2), sc3 = ScalesMins(x3, gs, out Vector128<int> m3);
            Vector128<int> s0 = default, s1 = default, s2 = default, s3 = default;
            sbyte* q8 = (sbyte*)(y + BlockQ8_K.Qs);
            Chunk(0, 0, 1, x0, x1, x2, x3, q8, sc0, sc1, sc2, sc3, low, ref s0, ref s1, ref s2, ref s3);
            Chunk(1, 2, 3, x0, x1, x2, x3, q8, sc0, sc1, sc2, sc3, low, ref s0, ref s1, ref s2, ref s3);
            Chunk(2, 4, 5, x0, x1, x2, x3, q8, sc0, sc1, sc2, sc3, low, ref s0, ref s1, ref s2, ref s3);
            Chunk(3, 6, 7, x0, x1, x2, x3, q8, sc0, sc1, sc2, sc3, low, ref s0, ref s1, ref s2, ref s3);
            Vector128<int> sum = Neon.AddPairs(Neon.AddPairs(s0, s1), Neon.AddPairs(s2, s3));
            Vector128<int> mins = Neon.AddPairs(Neon.AddPairs(m0, m1), Neon.AddPairs(m2, m3));
            // d and dmin of each row are one 32-bit word: [d0 dm0 d1 dm1 d2 dm2 d3 dm3], split into d and dmin.
            Vector128<int> words = Vector128.CreateScalarUnsafe(*(int*)x0);
            words = Neon.LoadLane(words, 1, (int*)x1);
            words = Neon.LoadLane(words, 2, (int*)x2);
            words = Neon.LoadLane(words, 3, (int*)x3);
            Vector128<short> halves = words.AsInt16();
            Vector128<float> dy = Neon.LoadBroadcast((float*)(y + BlockQ8_K.D));
            // Exact halves (shifted into floats' places, then × 2¹¹²), times the activation's scale: one rounding each.
            Vector128<float> d = ((Vector128.WidenLower(Neon.UnzipEven(halves, halves)) << 13) & signMask).AsSingle() * twoPow112 * dy;
            Vector128<float> dmin = ((Vector128.WidenLower(Neon.UnzipOdd(halves, halves)) << 13) & signMask).AsSingle() * twoPow112 * dy;
            acc = Neon.MulAdd(acc, Vector128.ConvertToSingle(sum), d);
            minAcc = Neon.MulAdd(minAcc, Vector128.ConvertToSingle(mins), dmin);
            x0 += WB; x1 += WB; x2 += WB; x3 += WB;
        }
        (acc - minAcc).Store(results);
    }

    /// <summary>A row's eight scales as int16 lanes, and Σ min_j·(activation sum j) in four int lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<short> ScalesMins(byte* x, Vector128<short> gs, out Vector128<int> minSum)
    {
        // BlockQ4_K.UnpackWords written out: as a call returning a tuple it is not inlined, and a call makes the JIT save
        // the upper halves of the vector registers around it.
        uint a0 = *(uint*)(x + BlockQ4_K.Scales), a1 = *(uint*)(x + BlockQ4_K.Scales + 4), a2 = *(uint*)(x + BlockQ4_K.Scales + 8);
        ulong scales = (a0 & 0x3F3F3F3Fu) | ((ulong)((a2 & 0x0F0F0F0Fu) | (((a0 >> 6) & 0x03030303u) << 4)) << 32);
        ulong mins = (a1 & 0x3F3F3F3Fu) | ((ulong)(((a2 >> 4) & 0x0F0F0F0Fu) | (((a1 >> 6) & 0x03030303u) << 4)) << 32);
        Vector128<short> m = Vector128.WidenLower(Vector128.CreateScalarUnsafe(mins).AsByte()).AsInt16();
        minSum = Neon.MulAddWidenUpper(Neon.MulWidenLower(m, gs), m, gs);
        return Vector128.WidenLower(Vector128.CreateScalarUnsafe(scales).AsByte()).AsInt16();
    }

    /// <summary>
    /// Chunk c (qs bytes 32c..32c+31 of each row: sub-block 2c in the low nibbles, 2c + 1 in the high ones) against
    /// activations 64c..64c+63, loaded once for the four rows.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Chunk([ConstantExpected(Max = 3)] byte c, [ConstantExpected(Max = 7)] byte lo, [ConstantExpected(Max = 7)] byte hi, byte* x0, byte* x1, byte* x2, byte* x3, sbyte* q8,
        Vector128<short> sc0, Vector128<short> sc1, Vector128<short> sc2, Vector128<short> sc3, Vector128<byte> low,
        ref Vector128<int> s0, ref Vector128<int> s1, ref Vector128<int> s2, ref Vector128<int> s3)
    {
        sbyte* y = q8 + 64 * c;
        Vector128<sbyte> y0 = Vector128.Load(y), y1 = Vector128.Load(y + 16), y2 = Vector128.Load(y + 32), y3 = Vector128.Load(y + 48);
        Vector64<sbyte> y0l = y0.GetLower(), y1l = y1.GetLower(), y2l = y2.GetLower(), y3l = y3.GetLower();
        s0 = Row(s0, x0 + BlockQ4_K.Qs + 32 * c, y0, y1, y2, y3, y0l, y1l, y2l, y3l, sc0, lo, hi, low);
        s1 = Row(s1, x1 + BlockQ4_K.Qs + 32 * c, y0, y1, y2, y3, y0l, y1l, y2l, y3l, sc1, lo, hi, low);
        s2 = Row(s2, x2 + BlockQ4_K.Qs + 32 * c, y0, y1, y2, y3, y0l, y1l, y2l, y3l, sc2, lo, hi, low);
        s3 = Row(s3, x3 + BlockQ4_K.Qs + 32 * c, y0, y1, y2, y3, y0l, y1l, y2l, y3l, sc3, lo, hi, low);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> Row(Vector128<int> sum, byte* q, Vector128<sbyte> y0, Vector128<sbyte> y1, Vector128<sbyte> y2, Vector128<sbyte> y3,
        Vector64<sbyte> y0l, Vector64<sbyte> y1l, Vector64<sbyte> y2l, Vector64<sbyte> y3l, Vector128<short> sc, [ConstantExpected(Max = 7)] byte lo, [ConstantExpected(Max = 7)] byte hi, Vector128<byte> low)
    {
        Vector128<byte> qa = Vector128.Load(q), qb = Vector128.Load(q + 16);
        Vector128<sbyte> la = (qa & low).AsSByte(), lb = (qb & low).AsSByte(), ha = (qa >>> 4).AsSByte(), hb = (qb >>> 4).AsSByte();
        Vector128<short> p = Neon.MulUpper(la, y0);
        p = Neon.MulAddLower(p, la, y0l);
        p = Neon.MulAddUpper(p, lb, y1);
        p = Neon.MulAddLower(p, lb, y1l);
        sum = Neon.MulAddUpperByLane(Neon.MulAddLowerByLane(sum, p, sc, lo), p, sc, lo);
        p = Neon.MulUpper(ha, y2);
        p = Neon.MulAddLower(p, ha, y2l);
        p = Neon.MulAddUpper(p, hb, y3);
        p = Neon.MulAddLower(p, hb, y3l);
        return Neon.MulAddUpperByLane(Neon.MulAddLowerByLane(sum, p, sc, hi), p, sc, hi);
    }
}
