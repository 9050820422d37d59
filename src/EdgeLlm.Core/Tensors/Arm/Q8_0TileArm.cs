using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using EdgeLlm.Core.Tensors.Formats;

namespace EdgeLlm.Core.Tensors.Arm;

/// <summary>
/// Q8_0 × Q8_0 rows × tokens on arm64 with SDOT (Cortex-A76), for prompt batches, on the row-major weights: tokens as
/// lanes. <see cref="Prepare"/> regroups each four tokens' activations so that one 128-bit vector holds the same four
/// columns of the four tokens (bytes 4t..4t+3: token t). SDOT by element then multiplies that vector by one quadruplet
/// of a weight row, so a row's block against four tokens is 8 SDOTs into one int vector [t0 t1 t2 t3], with no folding
/// of lanes; one conversion and one FMA finish it. Per row, block and token that is about a third of the per-token
/// kernel's work (<see cref="Q8_0Arm"/>, which needs a zeroed register, two SDOTs and the lanes folded per row and token).
/// </summary>
/// <remarks>
/// The integer sums and d_w·d_a (rounded once: the weight scales are converted scaled down by 2¹¹², the activation scales
/// carry 2¹¹²) are the scalar reference's; only the float accumulation order differs. Tokens left over after whole
/// fours go through <see cref="Q8_0Arm"/>'s pass with the same activation scales. Inf and NaN weight scales read as large
/// finite values, as in <see cref="Q8_0Arm"/>.
/// </remarks>
internal static unsafe class Q8_0TileArm
{
    private const int B = BlockQ8_0.Bytes;

    /// <summary>Bytes per four tokens and block: 8 chunks of 16 quant bytes, then the four tokens' d_a·2¹¹² as floats.</summary>
    private const int QuadBlockBytes = 8 * 16 + 4 * sizeof(float);

    /// <summary>
    /// Floats of aux per token and block: 9 (36 bytes) for tokens in whole fours, 1 (the scale) for the rest. So
    /// AuxLength = tokens · blocks · 9 always has room.
    /// </summary>
    public const int AuxPerBlock = QuadBlockBytes / 4 / sizeof(float);

    /// <summary>
    /// Per batch: for each four tokens q (tokens 4q..4q+3), block b at aux + (q·nb + b)·144 bytes: chunk c (16 bytes) holds
    /// bytes 4c..4c+3 of each of the four tokens' quants, then their four d_a·2¹¹². After the whole fours, the leftover
    /// tokens' d_a·2¹¹², one float per token and block.
    /// </summary>
    public static void Prepare(byte* act, nint stride, int tokens, int n, float* aux)
    {
        int nb = n / 32, quads = tokens / 4;
        byte* dst = (byte*)aux;
        for (int q = 0; q < quads; q++)
            for (int b = 0; b < nb; b++, dst += QuadBlockBytes)
                for (int t = 0; t < 4; t++)
                {
                    byte* y = act + (4 * q + t) * stride + b * B;
                    uint* src = (uint*)(y + BlockQ8_0.Qs);
                    for (int c = 0; c < 8; c++) *(uint*)(dst + 16 * c + 4 * t) = src[c];
                    ((float*)(dst + 128))[t] = Fp16.ToSingleArithmetic(*(ushort*)y) * Fp16.TwoPow112;
                }
        float* rest = (float*)dst;
        for (int t = 4 * quads; t < tokens; t++, rest += nb) Q8_0Arm.Prepare(act + t * stride, nb, rest);
    }

    /// <summary>output[t·outStride + r] = row r · token t, after <see cref="Prepare"/> on the same tokens; rows a multiple of 8 (<see cref="Dot.TileRows"/>).</summary>
    public static void Run<T>(byte* w, nint rowBytes, int rows, byte* act, nint stride, int tokens, int n, float* aux, float* output, nint outStride, byte* scratch)
        where T : struct, IArmIntDot
    {
        int nb = n / 32, quads = tokens / 4;
        float* restTerms = aux + quads * nb * (QuadBlockBytes / sizeof(float));
        Vector128<int> signMask = Vector128.Create(unchecked((int)0x8FFFE000));
        // Eight rows at a time, each against every token: the eight rows' blocks stay in L1 across the token fours.
        for (int r = 0; r + 8 <= rows; r += 8)
        {
            byte* x = w + r * rowBytes;
            int q = 0;
            // Pairs of token fours first: eight tokens per pass of four rows share each row's loads and scales.
            for (; q + 2 <= quads; q += 2)
            {
                byte* quad = (byte*)aux + (long)q * nb * QuadBlockBytes;
                float* o = output + 4 * q * outStride + r;
                FourByEight<T>(x, rowBytes, quad, quad + (long)nb * QuadBlockBytes, nb, signMask, o, outStride);
                FourByEight<T>(x + 4 * rowBytes, rowBytes, quad, quad + (long)nb * QuadBlockBytes, nb, signMask, o + 4, outStride);
            }
            if (q < quads)
                EightByFour<T>(x, rowBytes, (byte*)aux + (long)q * nb * QuadBlockBytes, nb, signMask, output + 4 * q * outStride + r, outStride);
            for (int t = 4 * quads; t < tokens; t++)
                for (int h = 0; h < 8; h += 4)
                {
                    byte* xh = x + h * rowBytes;
                    Q8_0Arm.Four<T>(xh, xh + rowBytes, xh + 2 * rowBytes, xh + 3 * rowBytes, act + t * stride, nb, restTerms + (t - 4 * quads) * nb, signMask,
                        output + t * outStride + r + h, accumulate: false);
                }
        }
    }

    /// <summary>
    /// Eight rows (rowBytes apart, from x) × four tokens (their regrouped blocks at quad): eight rather than four rows per
    /// pass, so the nine loads of the tokens' block, the loop's counter and the scale widening are shared by twice the rows.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void EightByFour<T>(byte* x, nint rowBytes, byte* quad, int nb, Vector128<int> signMask, float* output, nint outStride)
        where T : struct, IArmIntDot
    {
        byte* x0 = x, x1 = x + rowBytes, x2 = x + 2 * rowBytes, x3 = x + 3 * rowBytes;
        byte* x4 = x + 4 * rowBytes, x5 = x + 5 * rowBytes, x6 = x + 6 * rowBytes, x7 = x + 7 * rowBytes;
        Vector128<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
        Vector128<float> acc4 = default, acc5 = default, acc6 = default, acc7 = default;
        for (int b = 0; b < nb; b++, quad += QuadBlockBytes)
        {
            Vector128<sbyte> a0 = Vector128.Load((sbyte*)quad), a1 = Vector128.Load((sbyte*)(quad + 16));
            Vector128<sbyte> a2 = Vector128.Load((sbyte*)(quad + 32)), a3 = Vector128.Load((sbyte*)(quad + 48));
            Vector128<sbyte> a4 = Vector128.Load((sbyte*)(quad + 64)), a5 = Vector128.Load((sbyte*)(quad + 80));
            Vector128<sbyte> a6 = Vector128.Load((sbyte*)(quad + 96)), a7 = Vector128.Load((sbyte*)(quad + 112));
            Vector128<float> da = Vector128.Load((float*)(quad + 128));
            // The eight rows' scales as in Q8_0Arm: d_w·2⁻¹¹² by shift, one lane per row (rows 0-3 in dwl, 4-7 in dwh).
            Vector128<short> halves = Vector128.CreateScalarUnsafe(*(short*)x0);
            halves = Neon.LoadLane(halves, 1, (short*)x1);
            halves = Neon.LoadLane(halves, 2, (short*)x2);
            halves = Neon.LoadLane(halves, 3, (short*)x3);
            halves = Neon.LoadLane(halves, 4, (short*)x4);
            halves = Neon.LoadLane(halves, 5, (short*)x5);
            halves = Neon.LoadLane(halves, 6, (short*)x6);
            halves = Neon.LoadLane(halves, 7, (short*)x7);
            Vector128<float> dwl = ((Vector128.WidenLower(halves) << 13) & signMask).AsSingle();
            Vector128<float> dwh = ((Vector128.WidenUpper(halves) << 13) & signMask).AsSingle();
            acc0 = Neon.MulAdd(acc0, Vector128.ConvertToSingle(Row<T>(x0, a0, a1, a2, a3, a4, a5, a6, a7)), Neon.MulByLane(da, dwl, 0));
            acc1 = Neon.MulAdd(acc1, Vector128.ConvertToSingle(Row<T>(x1, a0, a1, a2, a3, a4, a5, a6, a7)), Neon.MulByLane(da, dwl, 1));
            acc2 = Neon.MulAdd(acc2, Vector128.ConvertToSingle(Row<T>(x2, a0, a1, a2, a3, a4, a5, a6, a7)), Neon.MulByLane(da, dwl, 2));
            acc3 = Neon.MulAdd(acc3, Vector128.ConvertToSingle(Row<T>(x3, a0, a1, a2, a3, a4, a5, a6, a7)), Neon.MulByLane(da, dwl, 3));
            acc4 = Neon.MulAdd(acc4, Vector128.ConvertToSingle(Row<T>(x4, a0, a1, a2, a3, a4, a5, a6, a7)), Neon.MulByLane(da, dwh, 0));
            acc5 = Neon.MulAdd(acc5, Vector128.ConvertToSingle(Row<T>(x5, a0, a1, a2, a3, a4, a5, a6, a7)), Neon.MulByLane(da, dwh, 1));
            acc6 = Neon.MulAdd(acc6, Vector128.ConvertToSingle(Row<T>(x6, a0, a1, a2, a3, a4, a5, a6, a7)), Neon.MulByLane(da, dwh, 2));
            acc7 = Neon.MulAdd(acc7, Vector128.ConvertToSingle(Row<T>(x7, a0, a1, a2, a3, a4, a5, a6, a7)), Neon.MulByLane(da, dwh, 3));
            x0 += B; x1 += B; x2 += B; x3 += B; x4 += B; x5 += B; x6 += B; x7 += B;
        }
        // acc_r holds row r against tokens 0..3: a column of the output each.
        Store(acc0, output, outStride);
        Store(acc1, output + 1, outStride);
        Store(acc2, output + 2, outStride);
        Store(acc3, output + 3, outStride);
        Store(acc4, output + 4, outStride);
        Store(acc5, output + 5, outStride);
        Store(acc6, output + 6, outStride);
        Store(acc7, output + 7, outStride);
    }

    /// <summary>
    /// Four rows (rowBytes apart, from x) × eight tokens (two fours, regrouped at quadA and quadB): each row's block is
    /// loaded and its scale converted once for eight tokens, and the sixteen activation vectors fill the registers the
    /// other four rows of <see cref="EightByFour{T}"/> would take (16 + 2 scales + 8 accumulators + temporaries: arm64's 32).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void FourByEight<T>(byte* x, nint rowBytes, byte* quadA, byte* quadB, int nb, Vector128<int> signMask, float* output, nint outStride)
        where T : struct, IArmIntDot
    {
        byte* x0 = x, x1 = x + rowBytes, x2 = x + 2 * rowBytes, x3 = x + 3 * rowBytes;
        Vector128<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
        Vector128<float> acc4 = default, acc5 = default, acc6 = default, acc7 = default;
        for (int b = 0; b < nb; b++, quadA += QuadBlockBytes, quadB += QuadBlockBytes)
        {
            Vector128<sbyte> a0 = Vector128.Load((sbyte*)quadA), a1 = Vector128.Load((sbyte*)(quadA + 16));
            Vector128<sbyte> a2 = Vector128.Load((sbyte*)(quadA + 32)), a3 = Vector128.Load((sbyte*)(quadA + 48));
            Vector128<sbyte> a4 = Vector128.Load((sbyte*)(quadA + 64)), a5 = Vector128.Load((sbyte*)(quadA + 80));
            Vector128<sbyte> a6 = Vector128.Load((sbyte*)(quadA + 96)), a7 = Vector128.Load((sbyte*)(quadA + 112));
            Vector128<sbyte> b0 = Vector128.Load((sbyte*)quadB), b1 = Vector128.Load((sbyte*)(quadB + 16));
            Vector128<sbyte> b2 = Vector128.Load((sbyte*)(quadB + 32)), b3 = Vector128.Load((sbyte*)(quadB + 48));
            Vector128<sbyte> b4 = Vector128.Load((sbyte*)(quadB + 64)), b5 = Vector128.Load((sbyte*)(quadB + 80));
            Vector128<sbyte> b6 = Vector128.Load((sbyte*)(quadB + 96)), b7 = Vector128.Load((sbyte*)(quadB + 112));
            Vector128<float> da = Vector128.Load((float*)(quadA + 128)), db = Vector128.Load((float*)(quadB + 128));
            Vector128<float> dw = Neon.FourScalesScaledDown(x0, x1, x2, x3, signMask);
            RowTwice<T>(x0, a0, a1, a2, a3, a4, a5, a6, a7, b0, b1, b2, b3, b4, b5, b6, b7, Neon.MulByLane(da, dw, 0), Neon.MulByLane(db, dw, 0), ref acc0, ref acc4);
            RowTwice<T>(x1, a0, a1, a2, a3, a4, a5, a6, a7, b0, b1, b2, b3, b4, b5, b6, b7, Neon.MulByLane(da, dw, 1), Neon.MulByLane(db, dw, 1), ref acc1, ref acc5);
            RowTwice<T>(x2, a0, a1, a2, a3, a4, a5, a6, a7, b0, b1, b2, b3, b4, b5, b6, b7, Neon.MulByLane(da, dw, 2), Neon.MulByLane(db, dw, 2), ref acc2, ref acc6);
            RowTwice<T>(x3, a0, a1, a2, a3, a4, a5, a6, a7, b0, b1, b2, b3, b4, b5, b6, b7, Neon.MulByLane(da, dw, 3), Neon.MulByLane(db, dw, 3), ref acc3, ref acc7);
            x0 += B; x1 += B; x2 += B; x3 += B;
        }
        // acc_r: row r against tokens 0..3; acc_(4+r): against tokens 4..7.
        Store(acc0, output, outStride);
        Store(acc1, output + 1, outStride);
        Store(acc2, output + 2, outStride);
        Store(acc3, output + 3, outStride);
        float* upper = output + 4 * outStride;
        Store(acc4, upper, outStride);
        Store(acc5, upper + 1, outStride);
        Store(acc6, upper + 2, outStride);
        Store(acc7, upper + 3, outStride);
    }

    /// <summary>One row's block (x at its d) against two token fours, each sum times its d_w·d_a into its accumulator.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RowTwice<T>(byte* x, Vector128<sbyte> a0, Vector128<sbyte> a1, Vector128<sbyte> a2, Vector128<sbyte> a3,
        Vector128<sbyte> a4, Vector128<sbyte> a5, Vector128<sbyte> a6, Vector128<sbyte> a7,
        Vector128<sbyte> b0, Vector128<sbyte> b1, Vector128<sbyte> b2, Vector128<sbyte> b3,
        Vector128<sbyte> b4, Vector128<sbyte> b5, Vector128<sbyte> b6, Vector128<sbyte> b7,
        Vector128<float> dA, Vector128<float> dB, ref Vector128<float> accA, ref Vector128<float> accB) where T : struct, IArmIntDot
    {
        Vector128<sbyte> lo = Vector128.Load((sbyte*)(x + BlockQ8_0.Qs)), hi = Vector128.Load((sbyte*)(x + BlockQ8_0.Qs + 16));
        Vector128<int> s = T.DotLane(default, a0, lo, 0), t = T.DotLane(default, b0, lo, 0);
        s = T.DotLane(s, a1, lo, 1); t = T.DotLane(t, b1, lo, 1);
        s = T.DotLane(s, a2, lo, 2); t = T.DotLane(t, b2, lo, 2);
        s = T.DotLane(s, a3, lo, 3); t = T.DotLane(t, b3, lo, 3);
        s = T.DotLane(s, a4, hi, 0); t = T.DotLane(t, b4, hi, 0);
        s = T.DotLane(s, a5, hi, 1); t = T.DotLane(t, b5, hi, 1);
        s = T.DotLane(s, a6, hi, 2); t = T.DotLane(t, b6, hi, 2);
        s = T.DotLane(s, a7, hi, 3); t = T.DotLane(t, b7, hi, 3);
        accA = Neon.MulAdd(accA, Vector128.ConvertToSingle(s), dA);
        accB = Neon.MulAdd(accB, Vector128.ConvertToSingle(t), dB);
    }

    /// <summary>One row's block (x at its d) against four tokens: lane t is the sum with token t.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> Row<T>(byte* x, Vector128<sbyte> a0, Vector128<sbyte> a1, Vector128<sbyte> a2, Vector128<sbyte> a3,
        Vector128<sbyte> a4, Vector128<sbyte> a5, Vector128<sbyte> a6, Vector128<sbyte> a7) where T : struct, IArmIntDot
    {
        Vector128<sbyte> lo = Vector128.Load((sbyte*)(x + BlockQ8_0.Qs)), hi = Vector128.Load((sbyte*)(x + BlockQ8_0.Qs + 16));
        Vector128<int> s = T.DotLane(default, a0, lo, 0);
        s = T.DotLane(s, a1, lo, 1);
        s = T.DotLane(s, a2, lo, 2);
        s = T.DotLane(s, a3, lo, 3);
        s = T.DotLane(s, a4, hi, 0);
        s = T.DotLane(s, a5, hi, 1);
        s = T.DotLane(s, a6, hi, 2);
        return T.DotLane(s, a7, hi, 3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector128<float> v, float* p, nint stride)
    {
        p[0] = v.GetElement(0);
        p[stride] = v.GetElement(1);
        p[2 * stride] = v.GetElement(2);
        p[3 * stride] = v.GetElement(3);
    }
}
