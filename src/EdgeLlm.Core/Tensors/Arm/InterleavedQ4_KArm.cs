using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using EdgeLlm.Core.Tensors.Formats;

namespace EdgeLlm.Core.Tensors.Arm;

/// <summary>
/// Interleaved Q4_K (<see cref="InterleavedQ4_K"/>) × Q8_K on arm64 with SDOT, rows 0..3 and 4..7 in two registers; same
/// arithmetic as the x64 kernel (integer scales, then d and dmin per block). Needs a lane-exact SDOT (see
/// <see cref="InterleavedQ4_0Arm"/>).
/// </summary>
internal static unsafe class InterleavedQ4_KArm
{
    private const int AB = BlockQ8_K.Bytes;

    public static void Rows<T>(byte* groups, int groupCount, byte* a, int n, float* results) where T : struct, IArmIntDot
    {
        int nb = n / BlockQ8_K.Elements;
        long groupBytes = InterleavedQ4_K.GroupBytes(n);
        int* ys = stackalloc int[nb * 8];
        SubBlockSums(a, nb, ys);
        Vector128<byte> mask = Vector128.Create((byte)0x0F);
        for (int g = 0; g < groupCount; g++)
            OneToken<T>(groups + g * groupBytes, nb, a, ys, results + g * 8, mask);
    }

    /// <summary>ys[8b + j] = Σy over sub-block j (32 columns) of block b of one token, from its Q8_K 16-column sums.</summary>
    private static void SubBlockSums(byte* a, int nb, int* ys)
    {
        for (int b = 0; b < nb; b++)
        {
            short* bsums = (short*)(a + b * AB + BlockQ8_K.BSums);
            for (int j = 0; j < 8; j++) ys[b * 8 + j] = bsums[2 * j] + bsums[2 * j + 1];
        }
    }

    /// <summary>One group × one token (a at its first block), with the token's sub-block sums.</summary>
    private static void OneToken<T>(byte* q, int nb, byte* a, int* ys, float* results, Vector128<byte> mask) where T : struct, IArmIntDot
    {
        byte* meta = q + InterleavedQ4_K.BlockQuantBytes;
        byte* y = a + BlockQ8_K.Qs;
        Vector128<float> acc0 = default, acc1 = default;
        for (int b = 0; b < nb; b++, q += InterleavedQ4_K.BlockBytes, meta += InterleavedQ4_K.BlockBytes, y += AB)
        {
            Vector128<int> is0 = default, is1 = default;
            for (int c = 0; c < 4; c++)
            {
                Vector128<int> lo0 = default, lo1 = default, hi0 = default, hi1 = default;
                // 32 low and 32 high activations in four loads; chunk k takes quadruplet k % 4 of them (by-element SDOT),
                // written out because the compiler does not unroll and the loop's own arithmetic outweighed its body.
                byte* v = q + 256 * c;
                sbyte* yc = (sbyte*)(y + 64 * c);
                Vector128<sbyte> yl = Vector128.Load(yc), yh = Vector128.Load(yc + 32);
                Chunk<T>(v, yl, yh, 0, mask, ref lo0, ref lo1, ref hi0, ref hi1);
                Chunk<T>(v + 32, yl, yh, 1, mask, ref lo0, ref lo1, ref hi0, ref hi1);
                Chunk<T>(v + 64, yl, yh, 2, mask, ref lo0, ref lo1, ref hi0, ref hi1);
                Chunk<T>(v + 96, yl, yh, 3, mask, ref lo0, ref lo1, ref hi0, ref hi1);
                yl = Vector128.Load(yc + 16);
                yh = Vector128.Load(yc + 48);
                Chunk<T>(v + 128, yl, yh, 0, mask, ref lo0, ref lo1, ref hi0, ref hi1);
                Chunk<T>(v + 160, yl, yh, 1, mask, ref lo0, ref lo1, ref hi0, ref hi1);
                Chunk<T>(v + 192, yl, yh, 2, mask, ref lo0, ref lo1, ref hi0, ref hi1);
                Chunk<T>(v + 224, yl, yh, 3, mask, ref lo0, ref lo1, ref hi0, ref hi1);
                var (sl0, sl1) = Bytes(meta + InterleavedQ4_K.MetaScales + 16 * c);
                var (sh0, sh1) = Bytes(meta + InterleavedQ4_K.MetaScales + 16 * c + 8);
                is0 += lo0 * sl0 + hi0 * sh0;
                is1 += lo1 * sl1 + hi1 * sh1;
            }
            Vector128<int> m0 = default, m1 = default;
            for (int j = 0; j < 8; j++)
            {
                var (mn0, mn1) = Bytes(meta + InterleavedQ4_K.MetaMins + 8 * j);
                Vector128<int> s = Vector128.Create(ys[b * 8 + j]);
                m0 += mn0 * s;
                m1 += mn1 * s;
            }
            float dy = *(float*)(y - BlockQ8_K.Qs + BlockQ8_K.D);
            Vector128<short> d = Vector128.Load((short*)(meta + InterleavedQ4_K.MetaD)), dmin = Vector128.Load((short*)(meta + InterleavedQ4_K.MetaDMin));
            acc0 = Step(acc0, is0, m0, Fp16.ToSingleByShift(Vector128.WidenLower(d)), Fp16.ToSingleByShift(Vector128.WidenLower(dmin)), dy);
            acc1 = Step(acc1, is1, m1, Fp16.ToSingleByShift(Vector128.WidenUpper(d)), Fp16.ToSingleByShift(Vector128.WidenUpper(dmin)), dy);
        }
        acc0.Store(results);
        acc1.Store(results + 4);
    }

    /// <summary>One 32-byte chunk (8 rows × 4 columns, low and high nibbles) against quadruplet <paramref name="k"/> of the activations.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Chunk<T>(byte* v, Vector128<sbyte> yl, Vector128<sbyte> yh, [ConstantExpected(Max = 3)] byte k, Vector128<byte> mask,
        ref Vector128<int> lo0, ref Vector128<int> lo1, ref Vector128<int> hi0, ref Vector128<int> hi1) where T : struct, IArmIntDot
    {
        Vector128<byte> v0 = Vector128.Load(v), v1 = Vector128.Load(v + 16);
        lo0 = T.DotLane(lo0, (v0 & mask).AsSByte(), yl, k);
        lo1 = T.DotLane(lo1, (v1 & mask).AsSByte(), yl, k);
        hi0 = T.DotLane(hi0, (v0 >>> 4).AsSByte(), yh, k);
        hi1 = T.DotLane(hi1, (v1 >>> 4).AsSByte(), yh, k);
    }

    /// <summary>Eight bytes (rows 0..7) as two int vectors (rows 0..3, 4..7).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector128<int>, Vector128<int>) Bytes(byte* p)
    {
        Vector128<ushort> w = Neon.WidenBytes(p);
        return (Vector128.WidenLower(w).AsInt32(), Vector128.WidenUpper(w).AsInt32());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Step(Vector128<float> acc, Vector128<int> isum, Vector128<int> minSum, Vector128<float> d, Vector128<float> dmin, float dy)
    {
        Vector128<float> da = Vector128.Create(dy);
        acc = Vector128.FusedMultiplyAdd(Vector128.ConvertToSingle(isum), d * da, acc);
        return Vector128.FusedMultiplyAdd(-Vector128.ConvertToSingle(minSum), dmin * da, acc);
    }

    // Prompt batches (Cortex-A76): four tokens per pass over a group, so each weight vector is loaded and unpacked once for
    // four tokens' SDOTs instead of once per token.

    /// <summary>
    /// Bytes per block of a four-token pack (<see cref="PrepareTile"/>): for each sub-block j, 128 bytes at 128j: the four
    /// tokens' first 16 quants one after the other, then their last 16 (so pairs of tokens load with one ldp); the four d_a at <see cref="PackD"/>; the sub-block sums Σy_j as int16 at
    /// <see cref="PackSums"/>, eight lanes per sub-block pair c: tokens 0..3 of sub-block 2c, then of 2c + 1.
    /// </summary>
    private const int PackBytes = 8 * 128 + 16 + 64, PackD = 8 * 128, PackSums = PackD + 16;

    /// <summary>Floats of <see cref="PrepareTile"/> output per token and block: 8 sub-block sums, then a quarter of a pack.</summary>
    public const int TileAuxPerBlock = 8 + PackBytes / 16;

    /// <summary>
    /// Every token's sub-block sums (ints, 8 per block) for the tokens left over after whole fours; then for each whole four
    /// tokens a pack per block (<see cref="PackBytes"/>), so that <see cref="FourTokens{T}"/> reads everything from one
    /// pointer at constant offsets.
    /// </summary>
    public static void PrepareTile(byte* act, nint stride, int tokens, int n, float* aux)
    {
        int nb = n / BlockQ8_K.Elements;
        int* ys = (int*)aux;
        for (int t = 0; t < tokens; t++) SubBlockSums(act + t * stride, nb, ys + t * nb * 8);
        byte* packs = Packs(aux, tokens, nb);
        for (int t0 = 0; t0 + 4 <= tokens; t0 += 4)
            for (int b = 0; b < nb; b++)
            {
                byte* pack = packs + ((long)(t0 / 4) * nb + b) * PackBytes;
                for (int k = 0; k < 4; k++)
                {
                    byte* y = act + (t0 + k) * stride + b * AB;
                    for (int j = 0; j < 8; j++)
                    {
                        Vector128.Load(y + BlockQ8_K.Qs + 32 * j).Store(pack + 128 * j + 16 * k);
                        Vector128.Load(y + BlockQ8_K.Qs + 32 * j + 16).Store(pack + 128 * j + 64 + 16 * k);
                        // |Σy_j| ≤ 32·128: an int16.
                        ((short*)(pack + PackSums))[8 * (j / 2) + 4 * (j % 2) + k] = (short)ys[((t0 + k) * nb + b) * 8 + j];
                    }
                    ((float*)(pack + PackD))[k] = *(float*)(y + BlockQ8_K.D);
                }
            }
    }

    private static byte* Packs(float* aux, int tokens, int nb) => (byte*)(aux + 8 * tokens * nb);

    /// <summary>output[t·outStride + 8g + r] = row r of group g · token t, after <see cref="PrepareTile"/> on the same tokens.</summary>
    public static void Tile<T>(byte* groups, int groupCount, byte* act, nint stride, int tokens, int n, float* aux,
        float* output, nint outStride) where T : struct, IArmIntDot
    {
        int nb = n / BlockQ8_K.Elements;
        long groupBytes = InterleavedQ4_K.GroupBytes(n);
        Vector128<byte> mask = Vector128.Create((byte)0x0F);
        for (int g = 0; g < groupCount; g++)
        {
            byte* q = groups + g * groupBytes;
            int t = 0;
            for (; t + 4 <= tokens; t += 4)
                FourTokens<T>(q, nb, Packs(aux, tokens, nb) + (long)(t / 4) * nb * PackBytes, output + g * 8 + t * outStride, outStride, mask);
            for (; t < tokens; t++)
                OneToken<T>(q, nb, act + t * stride, (int*)aux + t * nb * 8, output + g * 8 + t * outStride, mask);
        }
    }

    /// <summary>
    /// One group × four tokens over all blocks. Per block: the eight sub-blocks one at a time (each a chunk's nibbles
    /// unpacked once, then SDOTs for four tokens into 8 int sums; then the rows' scales applied to them), the mins against
    /// the packed sub-block sums, and the float step. Sums of four tokens × (8 SDOT + 8 scaled) stay in 16 registers; the
    /// float accumulators live in memory, touched once per block, to leave the registers to the sub-block's activations.
    /// </summary>
    private static void FourTokens<T>(byte* q, int nb, byte* pack, float* output, nint outStride, Vector128<byte> mask)
        where T : struct, IArmIntDot
    {
        Vector128<float>* acc = stackalloc Vector128<float>[8];
        for (int i = 0; i < 8; i++) acc[i] = default;
        long* scratch = (long*)output; // written for real at the end (Neon.SplitLoads)
        for (byte* end = q + (long)nb * InterleavedQ4_K.BlockBytes; q < end; q += InterleavedQ4_K.BlockBytes, pack += PackBytes)
        {
            byte* meta = q + InterleavedQ4_K.BlockQuantBytes;
            Vector128<int> i00 = default, i01 = default, i10 = default, i11 = default, i20 = default, i21 = default, i30 = default, i31 = default;
            byte* qc = q, yc = pack, sc = meta + InterleavedQ4_K.MetaScales;
            for (int c = 0; c < 4; c++, qc += 256, yc += 256, sc += 16)
            {
                // Sub-block 2c is the low nibbles of chunks 8c..8c+7, sub-block 2c + 1 their high nibbles.
                SubBlock<T>(qc, yc, false, mask, sc, ref i00, ref i01, ref i10, ref i11, ref i20, ref i21, ref i30, ref i31);
                Neon.SplitLoads(scratch);
                SubBlock<T>(qc, yc + 128, true, mask, sc + 8, ref i00, ref i01, ref i10, ref i11, ref i20, ref i21, ref i30, ref i31);
            }
            Vector128<int> m00 = default, m01 = default, m10 = default, m11 = default, m20 = default, m21 = default, m30 = default, m31 = default;
            byte* mc = meta + InterleavedQ4_K.MetaMins, ysc = pack + PackSums;
            for (int c = 0; c < 4; c++, mc += 16, ysc += 16)
            {
                Vector128<byte> mins = Vector128.Load(mc); // rows 0..7 of sub-block 2c, then of 2c + 1
                Vector128<short> lo = Vector128.WidenLower(mins).AsInt16(), hi = Vector128.WidenUpper(mins).AsInt16();
                Vector128<short> ys = Vector128.Load((short*)ysc);
                Mins(lo, hi, ys, 0, 4, ref m00, ref m01);
                Mins(lo, hi, ys, 1, 5, ref m10, ref m11);
                Mins(lo, hi, ys, 2, 6, ref m20, ref m21);
                Mins(lo, hi, ys, 3, 7, ref m30, ref m31);
            }
            Vector128<int> signMask = Neon.HalfSignMask;
            Vector128<float> two112 = Vector128.Create(Fp16.TwoPow112);
            Vector128<short> dh = Vector128.Load((short*)(meta + InterleavedQ4_K.MetaD)), mh = Vector128.Load((short*)(meta + InterleavedQ4_K.MetaDMin));
            Vector128<float> d0 = Neon.LowerHalvesScaledDown(dh, signMask) * two112, d1 = Neon.UpperHalvesScaledDown(dh, signMask) * two112;
            Vector128<float> dm0 = Neon.LowerHalvesScaledDown(mh, signMask) * two112, dm1 = Neon.UpperHalvesScaledDown(mh, signMask) * two112;
            Vector128<float> da = Vector128.Load((float*)(pack + PackD));
            Accumulate(acc, 0, i00, i01, m00, m01, d0, d1, dm0, dm1, da);
            Accumulate(acc, 1, i10, i11, m10, m11, d0, d1, dm0, dm1, da);
            Accumulate(acc, 2, i20, i21, m20, m21, d0, d1, dm0, dm1, da);
            Accumulate(acc, 3, i30, i31, m30, m31, d0, d1, dm0, dm1, da);
        }
        for (int k = 0; k < 4; k++)
        {
            acc[2 * k].Store(output + k * outStride);
            acc[2 * k + 1].Store(output + k * outStride + 4);
        }
    }

    /// <summary>
    /// Sub-block j for four tokens: y at its pack slice, q at chunk 8c (its 8 chunks of 32 bytes), <paramref name="high"/>
    /// choosing the nibbles; the 8 rows' scales at <paramref name="scales"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SubBlock<T>(byte* q, byte* y, [ConstantExpected] bool high, Vector128<byte> mask, byte* scales,
        ref Vector128<int> i00, ref Vector128<int> i01, ref Vector128<int> i10, ref Vector128<int> i11,
        ref Vector128<int> i20, ref Vector128<int> i21, ref Vector128<int> i30, ref Vector128<int> i31) where T : struct, IArmIntDot
    {
        Vector128<int> r00 = default, r01 = default, r10 = default, r11 = default, r20 = default, r21 = default, r30 = default, r31 = default;
        Vector128<sbyte> y0 = Vector128.Load((sbyte*)y), y1 = Vector128.Load((sbyte*)(y + 16));
        Vector128<sbyte> y2 = Vector128.Load((sbyte*)(y + 32)), y3 = Vector128.Load((sbyte*)(y + 48));
        FourTokenChunk<T>(q, 0, high, mask, y0, y1, y2, y3, 0, ref r00, ref r01, ref r10, ref r11, ref r20, ref r21, ref r30, ref r31);
        FourTokenChunk<T>(q, 32, high, mask, y0, y1, y2, y3, 1, ref r00, ref r01, ref r10, ref r11, ref r20, ref r21, ref r30, ref r31);
        FourTokenChunk<T>(q, 64, high, mask, y0, y1, y2, y3, 2, ref r00, ref r01, ref r10, ref r11, ref r20, ref r21, ref r30, ref r31);
        FourTokenChunk<T>(q, 96, high, mask, y0, y1, y2, y3, 3, ref r00, ref r01, ref r10, ref r11, ref r20, ref r21, ref r30, ref r31);
        y0 = Vector128.Load((sbyte*)(y + 64));
        y1 = Vector128.Load((sbyte*)(y + 80));
        y2 = Vector128.Load((sbyte*)(y + 96));
        y3 = Vector128.Load((sbyte*)(y + 112));
        FourTokenChunk<T>(q, 128, high, mask, y0, y1, y2, y3, 0, ref r00, ref r01, ref r10, ref r11, ref r20, ref r21, ref r30, ref r31);
        FourTokenChunk<T>(q, 160, high, mask, y0, y1, y2, y3, 1, ref r00, ref r01, ref r10, ref r11, ref r20, ref r21, ref r30, ref r31);
        FourTokenChunk<T>(q, 192, high, mask, y0, y1, y2, y3, 2, ref r00, ref r01, ref r10, ref r11, ref r20, ref r21, ref r30, ref r31);
        FourTokenChunk<T>(q, 224, high, mask, y0, y1, y2, y3, 3, ref r00, ref r01, ref r10, ref r11, ref r20, ref r21, ref r30, ref r31);
        var (s0, s1) = Bytes(scales);
        i00 = Neon.MulAdd(i00, r00, s0); i01 = Neon.MulAdd(i01, r01, s1);
        i10 = Neon.MulAdd(i10, r10, s0); i11 = Neon.MulAdd(i11, r11, s1);
        i20 = Neon.MulAdd(i20, r20, s0); i21 = Neon.MulAdd(i21, r21, s1);
        i30 = Neon.MulAdd(i30, r30, s0); i31 = Neon.MulAdd(i31, r31, s1);
    }

    /// <summary>
    /// The chunk at q + <paramref name="offset"/> (a constant, so both loads address q directly): its nibbles (rows 0..3
    /// and 4..7) against quadruplet k of each of the four tokens' activations.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FourTokenChunk<T>(byte* q, [ConstantExpected] int offset, [ConstantExpected] bool high, Vector128<byte> mask,
        Vector128<sbyte> y0, Vector128<sbyte> y1, Vector128<sbyte> y2, Vector128<sbyte> y3, [ConstantExpected(Max = 3)] byte k,
        ref Vector128<int> r00, ref Vector128<int> r01, ref Vector128<int> r10, ref Vector128<int> r11,
        ref Vector128<int> r20, ref Vector128<int> r21, ref Vector128<int> r30, ref Vector128<int> r31) where T : struct, IArmIntDot
    {
        Vector128<byte> v0 = Vector128.Load(q + offset), v1 = Vector128.Load(q + offset + 16);
        // Two calls rather than one pair of locals assigned in either branch: such locals cost a register copy each.
        if (high)
            FourTokenDots.Chunk<T>((v0 >>> 4).AsSByte(), (v1 >>> 4).AsSByte(), y0, y1, y2, y3, k, ref r00, ref r01, ref r10, ref r11, ref r20, ref r21, ref r30, ref r31);
        else
            FourTokenDots.Chunk<T>((v0 & mask).AsSByte(), (v1 & mask).AsSByte(), y0, y1, y2, y3, k, ref r00, ref r01, ref r10, ref r11, ref r20, ref r21, ref r30, ref r31);
    }

    /// <summary>Token k's mins sums for a sub-block pair: rows' mins (int16) times its Σy of sub-blocks 2c (lane k) and 2c + 1 (lane <paramref name="k4"/> = 4 + k).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Mins(Vector128<short> lo, Vector128<short> hi, Vector128<short> ys, [ConstantExpected(Max = 3)] byte k,
        [ConstantExpected(Min = 4, Max = 7)] byte k4, ref Vector128<int> m0, ref Vector128<int> m1)
    {
        m0 = Neon.MulAddLowerByLane(Neon.MulAddLowerByLane(m0, lo, ys, k), hi, ys, k4);
        m1 = Neon.MulAddUpperByLane(Neon.MulAddUpperByLane(m1, lo, ys, k), hi, ys, k4);
    }

    /// <summary>Token k's block into its accumulators: + isum·(d·d_a) − minSum·(dmin·d_a), as <see cref="Step"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate(Vector128<float>* acc, [ConstantExpected(Max = 3)] byte k, Vector128<int> i0, Vector128<int> i1,
        Vector128<int> m0, Vector128<int> m1, Vector128<float> d0, Vector128<float> d1, Vector128<float> dm0, Vector128<float> dm1, Vector128<float> da)
    {
        Vector128<float> a0 = Neon.MulAdd(acc[2 * k], Vector128.ConvertToSingle(i0), Neon.MulByLane(d0, da, k));
        Vector128<float> a1 = Neon.MulAdd(acc[2 * k + 1], Vector128.ConvertToSingle(i1), Neon.MulByLane(d1, da, k));
        acc[2 * k] = Neon.MulSub(a0, Vector128.ConvertToSingle(m0), Neon.MulByLane(dm0, da, k));
        acc[2 * k + 1] = Neon.MulSub(a1, Vector128.ConvertToSingle(m1), Neon.MulByLane(dm1, da, k));
    }
}
