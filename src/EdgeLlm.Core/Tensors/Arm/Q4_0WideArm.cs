using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using EdgeLlm.Core.Tensors.Formats;

namespace EdgeLlm.Core.Tensors.Arm;

/// <summary>
/// Q4_0 × Q8_0 row-major on plain NEON without SDOT (Cortex-A72, Raspberry Pi 4), four rows per pass. Per block, what
/// <see cref="Q4_0Arm"/> did per row is done once for the four rows:
/// <list type="bullet">
/// <item>the activation's scale and −8·Σy are computed once per call for all rows (<see cref="Prepare"/>), not per pass;</item>
/// <item>each row's 32 products are summed in int16 (four per lane, at most 4·15·128 = 7,680), and the four rows' int16
/// vectors are folded by two rounds of addp (at most 30,720: still int16) and one saddlp into one int vector [r0 r1 r2 r3],
/// so the block costs one int→float conversion and one FMA for four rows instead of four each;</item>
/// <item>the four rows' fp16 scales are loaded into one vector by lane and converted together.</item>
/// </list>
/// The block's integer sum and d_w·d_a are the scalar reference's; only the float accumulation differs (one lane per row).
/// </summary>
internal static unsafe class Q4_0WideArm
{
    private const int WB = BlockQ4_0.Bytes, AB = BlockQ8_0.Bytes;

    /// <summary>Longest row the per-call activation terms are kept on the stack for (8 bytes per block); longer rows use <see cref="Q4_0Arm"/>.</summary>
    public const int MaxBlocks = 4096;

    /// <summary>
    /// Per activation block, side by side (one pointer walks both): d_a·2¹¹² (float; the weight scales are converted
    /// scaled down by 2¹¹²) and −8·Σy (int).
    /// </summary>
    public static void Prepare(byte* a, int nb, float* terms)
    {
        for (int ib = 0; ib < nb; ib++)
        {
            byte* y = a + ib * AB;
            Vector128<sbyte> y0 = Vector128.Load((sbyte*)(y + BlockQ8_0.Qs)), y1 = Vector128.Load((sbyte*)(y + BlockQ8_0.Qs + 16));
            Vector128<short> s = Vector128.WidenLower(y0) + Vector128.WidenUpper(y0) + Vector128.WidenLower(y1) + Vector128.WidenUpper(y1);
            ((int*)terms)[2 * ib + 1] = -8 * Vector128.Sum(Vector128.WidenLower(s) + Vector128.WidenUpper(s));
            // Exact: a half times 2¹¹² stays below float's maximum.
            terms[2 * ib] = Fp16.ToSingleArithmetic(*(ushort*)y) * Fp16.TwoPow112;
        }
    }

    public static void Rows(byte* w, nint rowBytes, int rows, byte* a, int n, float* results)
    {
        int nb = n / 32;
        if (nb > MaxBlocks)
        {
            Q4_0Arm.Rows<WideningArm>(w, rowBytes, rows, a, n, results);
            return;
        }
        float* terms = stackalloc float[2 * nb];
        Prepare(a, nb, terms);
        // A parameter, not a constant: the JIT would reload a constant vector in every iteration.
        Vector128<int> signMask = Vector128.Create(unchecked((int)0x8FFFE000));
        int r = 0;
        for (; r + 4 <= rows; r += 4)
        {
            byte* x = w + r * rowBytes;
            Four(x, x + rowBytes, x + 2 * rowBytes, x + 3 * rowBytes, a, nb, terms, signMask, results + r);
        }
        if (r < rows)
        {
            // One to three rows left: a pass of four with the last row repeated, of which only the real rows are kept.
            float* rest = stackalloc float[4];
            byte* last = w + (rows - 1) * rowBytes;
            byte* x = w + r * rowBytes;
            Four(x, r + 1 < rows ? x + rowBytes : last, r + 2 < rows ? x + 2 * rowBytes : last, last, a, nb, terms, signMask, rest);
            for (int i = 0; r + i < rows; i++) results[r + i] = rest[i];
        }
    }

    private static void Four(byte* x0, byte* x1, byte* x2, byte* x3, byte* a, int nb, float* terms, Vector128<int> signMask, float* results)
    {
        byte* y = a + BlockQ8_0.Qs;
        Vector128<float> acc = default;
        Vector128<byte> low = Vector128.Create((byte)0x0F);
        for (int ib = 0; ib < nb; ib++)
        {
            Vector128<sbyte> y0 = Vector128.Load((sbyte*)y), y1 = Vector128.Load((sbyte*)(y + 16));
            Vector64<sbyte> y0l = y0.GetLower(), y1l = y1.GetLower();
            Vector128<short> p0 = Row(x0, y0, y1, y0l, y1l, low), p1 = Row(x1, y0, y1, y0l, y1l, low);
            Vector128<short> p2 = Row(x2, y0, y1, y0l, y1l, low), p3 = Row(x3, y0, y1, y0l, y1l, low);
            // [r0 r0 r0 r0 r1 r1 r1 r1] and [r2 .. r3 ..], then [r0 r0 r1 r1 r2 r2 r3 r3], then one int per row.
            Vector128<int> sum = Neon.AddPairsWiden(Neon.AddPairs(Neon.AddPairs(p0, p1), Neon.AddPairs(p2, p3))) + Neon.LoadBroadcast((int*)terms + 1);
            // d_w·2⁻¹¹², exactly, times dy's d_a·2¹¹²: one rounding, as d_w·d_a.
            Vector128<float> d = Neon.FourScalesScaledDown(x0, x1, x2, x3, signMask) * Neon.LoadBroadcast(terms);
            acc = Neon.MulAdd(acc, Vector128.ConvertToSingle(sum), d);
            x0 += WB; x1 += WB; x2 += WB; x3 += WB; y += AB; terms += 2;
        }
        acc.Store(results);
    }

    /// <summary>One row's block: its 32 unsigned nibbles times the activations, four products per int16 lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<short> Row(byte* x, Vector128<sbyte> y0, Vector128<sbyte> y1, Vector64<sbyte> y0l, Vector64<sbyte> y1l, Vector128<byte> low)
    {
        Vector128<byte> packed = Vector128.Load(x + BlockQ4_0.Qs);
        Vector128<sbyte> lo = (packed & low).AsSByte(), hi = (packed >>> 4).AsSByte();
        Vector128<short> p = Neon.MulUpper(lo, y0);
        p = Neon.MulAddLower(p, lo, y0l);
        p = Neon.MulAddUpper(p, hi, y1);
        return Neon.MulAddLower(p, hi, y1l);
    }
}
