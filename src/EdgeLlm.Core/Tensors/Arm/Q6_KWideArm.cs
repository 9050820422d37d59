using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using EdgeLlm.Core.Tensors.Formats;

namespace EdgeLlm.Core.Tensors.Arm;

/// <summary>
/// Q6_K × Q8_K row-major on plain NEON without SDOT (Cortex-A72, Raspberry Pi 4), four rows per pass. Per 16-weight group
/// (one signed scale):
/// <list type="bullet">
/// <item>the 6-bit quants stay unsigned (0..63) and −32 enters once per block as −32·Σ scale·bsum (Q8_K's group sums);</item>
/// <item>their 16 products go into int16 lanes two at a time (smull2, smlal: at most 2·63·128 = 16,128), and the group's
/// scale is applied while widening them into the row's int32 sum (smlal/smlal2 by element): four instructions per group
/// where a widening dot, its horizontal parts and a scale multiply took seven or more;</item>
/// <item>the quants are assembled with shift-and-insert (sli/sri: the nibble and the two high bits in one instruction).</item>
/// </list>
/// Four rows' int sums fold into one vector (two addp) for one conversion and one FMA, their scales are converted together.
/// </summary>
internal static unsafe class Q6_KWideArm
{
    private const int WB = BlockQ6_K.Bytes, AB = BlockQ8_K.Bytes;

    public static void Rows(byte* w, nint rowBytes, int rows, byte* a, int n, float* results)
    {
        int nb = n / 256, r = 0;
        // A parameter, not a constant: the JIT would reload a constant vector in every iteration.
        Vector128<int> signMask = Vector128.Create(unchecked((int)0x8FFFE000));
        for (; r + 4 <= rows; r += 4)
        {
            byte* x = w + r * rowBytes;
            Four(x, x + rowBytes, x + 2 * rowBytes, x + 3 * rowBytes, a, nb, signMask, results + r);
        }
        if (r < rows)
        {
            // One to three rows left: a pass of four with the last row repeated, of which only the real rows are kept.
            float* rest = stackalloc float[4];
            byte* last = w + (rows - 1) * rowBytes;
            byte* x = w + r * rowBytes;
            Four(x, r + 1 < rows ? x + rowBytes : last, r + 2 < rows ? x + 2 * rowBytes : last, last, a, nb, signMask, rest);
            for (int i = 0; r + i < rows; i++) results[r + i] = rest[i];
        }
    }

    private static void Four(byte* x0, byte* x1, byte* x2, byte* x3, byte* a, int nb, Vector128<int> signMask, float* results)
    {
        Vector128<float> acc = default;
        Vector128<float> twoPow112 = Vector128.Create(Fp16.TwoPow112);
        for (int ib = 0; ib < nb; ib++)
        {
            byte* y = a + ib * AB;
            Vector128<int> s0 = Row(x0, y), s1 = Row(x1, y), s2 = Row(x2, y), s3 = Row(x3, y);
            Vector128<int> sum = Neon.AddPairs(Neon.AddPairs(s0, s1), Neon.AddPairs(s2, s3));
            Vector128<short> halves = Vector128.CreateScalarUnsafe(*(short*)(x0 + BlockQ6_K.D));
            halves = Neon.LoadLane(halves, 1, (short*)(x1 + BlockQ6_K.D));
            halves = Neon.LoadLane(halves, 2, (short*)(x2 + BlockQ6_K.D));
            halves = Neon.LoadLane(halves, 3, (short*)(x3 + BlockQ6_K.D));
            // Exact halves (shifted into floats' places, then × 2¹¹²), times the activation's float scale: d_w·d_a, one rounding.
            Vector128<float> d = ((Vector128.WidenLower(halves) << 13) & signMask).AsSingle() * twoPow112 * Neon.LoadBroadcast((float*)(y + BlockQ8_K.D));
            acc = Neon.MulAdd(acc, Vector128.ConvertToSingle(sum), d);
            x0 += WB; x1 += WB; x2 += WB; x3 += WB;
        }
        acc.Store(results);
    }

    /// <summary>One row's block: Σ scale_g · Σ (q − 32)·y over its 16 groups, in four int lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> Row(byte* x, byte* y)
    {
        Vector128<sbyte> scales = Vector128.Load((sbyte*)(x + BlockQ6_K.Scales));
        Vector128<short> sc0 = Vector128.WidenLower(scales), sc1 = Vector128.WidenUpper(scales);
        // −32·Σ scale·bsum, as Σ scale·bsum here and shifted by 5 at the end (32·256·128·127 fits an int).
        Vector128<short> bs0 = Vector128.Load((short*)(y + BlockQ8_K.BSums)), bs1 = Vector128.Load((short*)(y + BlockQ8_K.BSums + 16));
        Vector128<int> bias = Neon.MulAddWidenUpper(Neon.MulAddWidenLower(Neon.MulAddWidenUpper(Neon.MulWidenLower(sc0, bs0), sc0, bs0), sc1, bs1), sc1, bs1);
        Vector128<int> sum = Half(default, x + BlockQ6_K.Ql, x + BlockQ6_K.Qh, (sbyte*)(y + BlockQ8_K.Qs), sc0);
        sum = Half(sum, x + BlockQ6_K.Ql + 64, x + BlockQ6_K.Qh + 32, (sbyte*)(y + BlockQ8_K.Qs + 128), sc1);
        return sum - (bias << 5);
    }

    /// <summary>Weights 128h .. 128h + 127 (ql 64 bytes, qh 32 bytes) with their eight scales (int16 lanes 0..7).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> Half(Vector128<int> sum, byte* ql, byte* qh, sbyte* y, Vector128<short> sc)
    {
        Vector128<byte> l0 = Vector128.Load(ql), l1 = Vector128.Load(ql + 16), l2 = Vector128.Load(ql + 32), l3 = Vector128.Load(ql + 48);
        Vector128<byte> h0 = Vector128.Load(qh), h1 = Vector128.Load(qh + 16);
        Vector128<byte> top = Vector128.Create((byte)0x30), six = Vector128.Create((byte)0x3F);
        // Group k (weights 16k..16k+15 of the half): low nibbles of l0..l3 (k = 0..3) or high nibbles (k = 4..7), with
        // bit pairs 0-1, 2-3 (k = 0..3 of h0/h1 alternately), 4-5, 6-7 (k = 4..7) on top. High nibbles: sri puts the nibble
        // under the two bits already masked into place. Low nibbles: sli puts h above it, and the mask clears what came along.
        Vector128<byte> h0s = h0 >>> 2, h1s = h1 >>> 2;
        Vector128<byte> q4 = Neon.ShiftRightInsert(h0 & top, l0), q5 = Neon.ShiftRightInsert(h1 & top, l1);
        Vector128<byte> q6 = Neon.ShiftRightInsert(h0s & top, l2), q7 = Neon.ShiftRightInsert(h1s & top, l3);
        Vector128<byte> q0 = Neon.ShiftLeftInsert(l0, h0) & six, q1 = Neon.ShiftLeftInsert(l1, h1) & six;
        Vector128<byte> q2 = Neon.ShiftLeftInsert(l2, h0s) & six, q3 = Neon.ShiftLeftInsert(l3, h1s) & six;
        sum = Group(sum, q0, y, sc, 0);
        sum = Group(sum, q1, y + 16, sc, 1);
        sum = Group(sum, q2, y + 32, sc, 2);
        sum = Group(sum, q3, y + 48, sc, 3);
        sum = Group(sum, q4, y + 64, sc, 4);
        sum = Group(sum, q5, y + 80, sc, 5);
        sum = Group(sum, q6, y + 96, sc, 6);
        return Group(sum, q7, y + 112, sc, 7);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> Group(Vector128<int> sum, Vector128<byte> q, sbyte* y, Vector128<short> sc, [ConstantExpected(Max = 7)] byte k)
    {
        Vector128<sbyte> yv = Vector128.Load(y);
        Vector128<short> p = Neon.MulUpper(q.AsSByte(), yv);
        p = Neon.MulAddLower(p, q.AsSByte(), yv);
        return Neon.MulAddUpperByLane(Neon.MulAddLowerByLane(sum, p, sc, k), p, sc, k);
    }
}
