using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using EdgeLlm.Core.Tensors.Formats;

namespace EdgeLlm.Core.Tensors.Arm;

/// <summary>
/// Q8_0 × Q8_0 row-major on arm64, four rows per pass: with SDOT (<see cref="SdotArm"/>, Cortex-A76) or with widening
/// multiplies (<see cref="WideningArm"/>, Cortex-A72). Per block, what used to be done per row is done once for four:
/// <list type="bullet">
/// <item>the activation's scale is converted once per call for all rows (<see cref="Prepare"/>), not once per row and block;</item>
/// <item>each row's 32 products end in one int vector, and the four rows' vectors are folded by three addp into one
/// [r0 r1 r2 r3], so the block costs one int→float conversion and one FMA for four rows instead of four each;</item>
/// <item>the four rows' fp16 scales are loaded into one vector by lane and converted together by shifting their bits into
/// a float's places (<see cref="Fp16.ToSingleScaledDown(Vector128{int})"/>), where a scalar conversion per row and block
/// cost more than the products themselves.</item>
/// </list>
/// The block's integer sum and d_w·d_a are the scalar reference's; only the float accumulation differs (one lane per row).
/// The shift conversion does not cover inf and NaN scales (they read as large finite values), as in <see cref="Q4_0WideArm"/>.
/// </summary>
internal static unsafe class Q8_0Arm
{
    private const int B = BlockQ8_0.Bytes;

    /// <summary>Blocks whose activation scales are kept on the stack at a time (4 KiB); longer rows are done in chunks of this many.</summary>
    public const int ChunkBlocks = 1024;

    /// <summary>Per activation block: d_a·2¹¹² (exact: a half times 2¹¹² stays below float's maximum), as the weight scales are converted scaled down by 2¹¹².</summary>
    public static void Prepare(byte* a, int nb, float* terms)
    {
        for (int ib = 0; ib < nb; ib++) terms[ib] = Fp16.ToSingleArithmetic(*(ushort*)(a + ib * B)) * Fp16.TwoPow112;
    }

    public static void Rows<T>(byte* w, nint rowBytes, int rows, byte* a, int n, float* results) where T : struct, IArmIntDot
    {
        int nb = n / 32;
        float* terms = stackalloc float[Math.Min(nb, ChunkBlocks)];
        float* rest = stackalloc float[4];
        // A parameter, not a constant: the JIT would reload a constant vector in every iteration.
        Vector128<int> signMask = Vector128.Create(unchecked((int)0x8FFFE000));
        // Chunks of blocks: the activation scales of one chunk are prepared once and used by every row; a later chunk adds
        // to the sums the earlier ones stored (rows of more than 32,768 columns only).
        for (int first = 0; first < nb; first += ChunkBlocks)
        {
            int count = Math.Min(ChunkBlocks, nb - first);
            bool accumulate = first > 0;
            byte* y = a + first * B;
            Prepare(y, count, terms);
            byte* w0 = w + first * B;
            int r = 0;
            for (; r + 4 <= rows; r += 4)
            {
                byte* x = w0 + r * rowBytes;
                Four<T>(x, x + rowBytes, x + 2 * rowBytes, x + 3 * rowBytes, y, count, terms, signMask, results + r, accumulate);
            }
            if (r < rows)
            {
                // One to three rows left: a pass of four with the last row repeated, of which only the real rows are kept.
                for (int i = 0; r + i < rows; i++) rest[i] = accumulate ? results[r + i] : 0;
                byte* last = w0 + (rows - 1) * rowBytes;
                byte* x = w0 + r * rowBytes;
                Four<T>(x, r + 1 < rows ? x + rowBytes : last, r + 2 < rows ? x + 2 * rowBytes : last, last, y, count, terms, signMask, rest, accumulate);
                for (int i = 0; r + i < rows; i++) results[r + i] = rest[i];
            }
        }
    }

    /// <summary>Four rows × one token (y at its first block, terms its d_a·2¹¹² per block); also the tile's pass for leftover tokens.</summary>
    internal static void Four<T>(byte* x0, byte* x1, byte* x2, byte* x3, byte* y, int nb, float* terms, Vector128<int> signMask, float* results, bool accumulate)
        where T : struct, IArmIntDot
    {
        Vector128<float> acc = accumulate ? Vector128.Load(results) : default;
        for (int ib = 0; ib < nb; ib++)
        {
            Vector128<sbyte> y0 = Vector128.Load((sbyte*)(y + BlockQ8_0.Qs)), y1 = Vector128.Load((sbyte*)(y + BlockQ8_0.Qs + 16));
            Vector64<sbyte> y0l = y0.GetLower(), y1l = y1.GetLower();
            Vector128<int> s0 = Row<T>(x0, y0, y1, y0l, y1l), s1 = Row<T>(x1, y0, y1, y0l, y1l);
            Vector128<int> s2 = Row<T>(x2, y0, y1, y0l, y1l), s3 = Row<T>(x3, y0, y1, y0l, y1l);
            // [r0 r0 r1 r1] and [r2 r2 r3 r3], then one int per row.
            Vector128<int> sum = Neon.AddPairs(Neon.AddPairs(s0, s1), Neon.AddPairs(s2, s3));
            // d_w·2⁻¹¹², exactly, times terms' d_a·2¹¹²: one rounding, as d_w·d_a.
            Vector128<float> d = Neon.FourScalesScaledDown(x0, x1, x2, x3, signMask) * Neon.LoadBroadcast(terms);
            acc = Neon.MulAdd(acc, Vector128.ConvertToSingle(sum), d);
            x0 += B; x1 += B; x2 += B; x3 += B; y += B; terms++;
        }
        acc.Store(results);
    }

    /// <summary>
    /// One row's block (x at its d) times the activations, summed into four int lanes (which lane holds which products
    /// differs by path; only the total counts). SDOT: two instructions. Widening: each int16 lane holds one product (at
    /// most 128·128 = 16,384, so −128 weights and activations cannot wrap), and saddlp/sadalp add pairs into int32.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> Row<T>(byte* x, Vector128<sbyte> y0, Vector128<sbyte> y1, Vector64<sbyte> y0l, Vector64<sbyte> y1l) where T : struct, IArmIntDot
    {
        Vector128<sbyte> x0 = Vector128.Load((sbyte*)(x + BlockQ8_0.Qs)), x1 = Vector128.Load((sbyte*)(x + BlockQ8_0.Qs + 16));
        if (typeof(T) == typeof(WideningArm))
        {
            // Written with the portable Neon helpers (not WideningArm.Dot), so this path also runs in x64 tests; the first
            // step is saddlp, not sadalp into a zeroed register. Upper halves first, so that the lower ones are the weights'
            // last use (no register copy); the activations' lower halves are split off once for the four rows.
            Vector128<int> s = Neon.AddPairsWiden(Neon.MulUpper(x0, y0));
            s = Neon.AddPairsWiden(s, Neon.MulLower(x0, y0l));
            s = Neon.AddPairsWiden(s, Neon.MulUpper(x1, y1));
            return Neon.AddPairsWiden(s, Neon.MulLower(x1, y1l));
        }
        return T.Dot(T.Dot(default, x0, y0), x1, y1);
    }
}
