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
            OneToken<T>(groups + g * groupBytes, nb, a, results + g * 8);
    }

    /// <summary>One group × one token (a at its first block).</summary>
    private static void OneToken<T>(byte* q, int nb, byte* a, float* results) where T : struct, IArmIntDot
    {
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
        acc0.Store(results);
        acc1.Store(results + 4);
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
        Vector128<short> w = Neon.WidenBytes((sbyte*)p);
        return (Vector128.WidenLower(w), Vector128.WidenUpper(w));
    }

    // Prompt batches (Cortex-A76): four tokens per pass over a group, so each chunk's 6-bit quants are unpacked once for
    // four tokens' SDOTs instead of once per token.

    /// <summary>
    /// Bytes per block of a four-token pack (<see cref="PrepareTile"/>): for each 16-column sub-block s, the four tokens'
    /// 16 quants (64 bytes), then each token's −32·Σy_s eight times (so one ldp starts both of its SDOT chains), at
    /// <see cref="SubBlockPackBytes"/>·s; then the four d_a at <see cref="PackD"/>.
    /// </summary>
    private const int SubBlockPackBytes = 64 + 4 * 32, PackD = 16 * SubBlockPackBytes, PackBytes = PackD + 16;

    /// <summary>Floats of <see cref="PrepareTile"/> output per token and block: a quarter of a pack.</summary>
    public const int TileAuxPerBlock = PackBytes / 16;

    /// <summary>A pack per block for each whole four tokens (<see cref="PackBytes"/>); tokens left over read their rows directly.</summary>
    public static void PrepareTile(byte* act, nint stride, int tokens, int n, float* aux)
    {
        int nb = n / BlockQ8_K.Elements;
        for (int t0 = 0; t0 + 4 <= tokens; t0 += 4)
            for (int b = 0; b < nb; b++)
            {
                byte* pack = (byte*)aux + ((long)(t0 / 4) * nb + b) * PackBytes;
                for (int k = 0; k < 4; k++)
                {
                    byte* y = act + (t0 + k) * stride + b * AB;
                    short* bsums = (short*)(y + BlockQ8_K.BSums);
                    for (int s = 0; s < 16; s++)
                    {
                        byte* sub = pack + SubBlockPackBytes * s;
                        Vector128.Load(y + BlockQ8_K.Qs + 16 * s).Store(sub + 16 * k);
                        Vector128<int> bias = Vector128.Create(-32 * bsums[s]);
                        bias.Store((int*)(sub + 64 + 32 * k));
                        bias.Store((int*)(sub + 64 + 32 * k + 16));
                    }
                    ((float*)(pack + PackD))[k] = *(float*)(y + BlockQ8_K.D);
                }
            }
    }

    /// <summary>output[t·outStride + 8g + r] = row r of group g · token t, after <see cref="PrepareTile"/> on the same tokens.</summary>
    public static void Tile<T>(byte* groups, int groupCount, byte* act, nint stride, int tokens, int n, float* aux,
        float* output, nint outStride) where T : struct, IArmIntDot
    {
        int nb = n / BlockQ8_K.Elements;
        long groupBytes = InterleavedQ6_K.GroupBytes(n);
        for (int g = 0; g < groupCount; g++)
        {
            byte* q = groups + g * groupBytes;
            int t = 0;
            for (; t + 4 <= tokens; t += 4)
                FourTokens<T>(q, nb, (byte*)aux + (long)(t / 4) * nb * PackBytes, output + g * 8 + t * outStride, outStride);
            for (; t < tokens; t++)
                OneToken<T>(q, nb, act + t * stride, output + g * 8 + t * outStride);
        }
    }

    /// <summary>
    /// One group × four tokens over all blocks: the 16 sub-blocks one at a time (a part of a quad: its four chunks' quants
    /// built once, SDOTs for four tokens into 8 int sums, then the rows' scales applied), then the float step. As in
    /// <see cref="InterleavedQ4_KArm"/>, the float accumulators live in memory, touched once per block.
    /// </summary>
    private static void FourTokens<T>(byte* q, int nb, byte* pack, float* output, nint outStride) where T : struct, IArmIntDot
    {
        Vector128<float>* acc = stackalloc Vector128<float>[8];
        for (int i = 0; i < 8; i++) acc[i] = default;
        long* scratch = (long*)output; // written for real at the end (Neon.SplitLoads)
        // Parameters of the inner calls, not constants there: the JIT would rebuild a constant vector at every use.
        Vector128<byte> six = Vector128.Create((byte)0x3F), top = Vector128.Create((byte)0x30);
        for (byte* end = q + (long)nb * InterleavedQ6_K.BlockBytes; q < end; q += InterleavedQ6_K.BlockBytes, pack += PackBytes)
        {
            byte* meta = q + InterleavedQ6_K.BlockQuantBytes;
            Vector128<int> i00 = default, i01 = default, i10 = default, i11 = default, i20 = default, i21 = default, i30 = default, i31 = default;
            for (int s4 = 0; s4 < 4; s4++)
            {
                byte* qm = q + InterleavedQ6_K.QuadBytes * s4, sc = meta + InterleavedQ6_K.MetaScales + 8 * s4;
                byte* sub = pack + SubBlockPackBytes * s4;
                SubBlock<T>(qm, 0, sub, sc, six, top, ref i00, ref i01, ref i10, ref i11, ref i20, ref i21, ref i30, ref i31);
                Neon.SplitLoads(scratch);
                SubBlock<T>(qm, 1, sub + 4 * SubBlockPackBytes, sc + 32, six, top, ref i00, ref i01, ref i10, ref i11, ref i20, ref i21, ref i30, ref i31);
                Neon.SplitLoads(scratch);
                SubBlock<T>(qm, 2, sub + 8 * SubBlockPackBytes, sc + 64, six, top, ref i00, ref i01, ref i10, ref i11, ref i20, ref i21, ref i30, ref i31);
                Neon.SplitLoads(scratch);
                SubBlock<T>(qm, 3, sub + 12 * SubBlockPackBytes, sc + 96, six, top, ref i00, ref i01, ref i10, ref i11, ref i20, ref i21, ref i30, ref i31);
            }
            Vector128<int> signMask = Neon.HalfSignMask;
            Vector128<float> two112 = Vector128.Create(Fp16.TwoPow112);
            Vector128<short> dh = Vector128.Load((short*)(meta + InterleavedQ6_K.MetaD));
            Vector128<float> d0 = Neon.LowerHalvesScaledDown(dh, signMask) * two112, d1 = Neon.UpperHalvesScaledDown(dh, signMask) * two112;
            Vector128<float> da = Vector128.Load((float*)(pack + PackD));
            acc[0] = Neon.MulAdd(acc[0], Vector128.ConvertToSingle(i00), Neon.MulByLane(d0, da, 0));
            acc[1] = Neon.MulAdd(acc[1], Vector128.ConvertToSingle(i01), Neon.MulByLane(d1, da, 0));
            acc[2] = Neon.MulAdd(acc[2], Vector128.ConvertToSingle(i10), Neon.MulByLane(d0, da, 1));
            acc[3] = Neon.MulAdd(acc[3], Vector128.ConvertToSingle(i11), Neon.MulByLane(d1, da, 1));
            acc[4] = Neon.MulAdd(acc[4], Vector128.ConvertToSingle(i20), Neon.MulByLane(d0, da, 2));
            acc[5] = Neon.MulAdd(acc[5], Vector128.ConvertToSingle(i21), Neon.MulByLane(d1, da, 2));
            acc[6] = Neon.MulAdd(acc[6], Vector128.ConvertToSingle(i30), Neon.MulByLane(d0, da, 3));
            acc[7] = Neon.MulAdd(acc[7], Vector128.ConvertToSingle(i31), Neon.MulByLane(d1, da, 3));
        }
        for (int k = 0; k < 4; k++)
        {
            acc[2 * k].Store(output + k * outStride);
            acc[2 * k + 1].Store(output + k * outStride + 4);
        }
    }

    /// <summary>
    /// Sub-block 4·<paramref name="part"/> + s4 for four tokens: q at quad s4's chunks, sub at its pack slice (token k's 16
    /// quants at 16k, its bias copies at 64 + 32k), the 8 rows' scales at <paramref name="scales"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SubBlock<T>(byte* q, [ConstantExpected(Max = 3)] int part, byte* sub, byte* scales, Vector128<byte> six, Vector128<byte> top,
        ref Vector128<int> i00, ref Vector128<int> i01, ref Vector128<int> i10, ref Vector128<int> i11,
        ref Vector128<int> i20, ref Vector128<int> i21, ref Vector128<int> i30, ref Vector128<int> i31) where T : struct, IArmIntDot
    {
        Vector128<int> r00 = Vector128.Load((int*)(sub + 64)), r01 = Vector128.Load((int*)(sub + 80));
        Vector128<int> r10 = Vector128.Load((int*)(sub + 96)), r11 = Vector128.Load((int*)(sub + 112));
        Vector128<int> r20 = Vector128.Load((int*)(sub + 128)), r21 = Vector128.Load((int*)(sub + 144));
        Vector128<int> r30 = Vector128.Load((int*)(sub + 160)), r31 = Vector128.Load((int*)(sub + 176));
        Vector128<sbyte> y0 = Vector128.Load((sbyte*)sub), y1 = Vector128.Load((sbyte*)(sub + 16));
        Vector128<sbyte> y2 = Vector128.Load((sbyte*)(sub + 32)), y3 = Vector128.Load((sbyte*)(sub + 48));
        FourTokenChunk<T>(q, 0, part, six, top, y0, y1, y2, y3, 0, ref r00, ref r01, ref r10, ref r11, ref r20, ref r21, ref r30, ref r31);
        FourTokenChunk<T>(q, 32, part, six, top, y0, y1, y2, y3, 1, ref r00, ref r01, ref r10, ref r11, ref r20, ref r21, ref r30, ref r31);
        FourTokenChunk<T>(q, 64, part, six, top, y0, y1, y2, y3, 2, ref r00, ref r01, ref r10, ref r11, ref r20, ref r21, ref r30, ref r31);
        FourTokenChunk<T>(q, 96, part, six, top, y0, y1, y2, y3, 3, ref r00, ref r01, ref r10, ref r11, ref r20, ref r21, ref r30, ref r31);
        var (s0, s1) = Scales(scales);
        i00 = Neon.MulAdd(i00, r00, s0); i01 = Neon.MulAdd(i01, r01, s1);
        i10 = Neon.MulAdd(i10, r10, s0); i11 = Neon.MulAdd(i11, r11, s1);
        i20 = Neon.MulAdd(i20, r20, s0); i21 = Neon.MulAdd(i21, r21, s1);
        i30 = Neon.MulAdd(i30, r30, s0); i31 = Neon.MulAdd(i31, r31, s1);
    }

    /// <summary>
    /// Part <paramref name="part"/>'s 6-bit quants of the chunk at q + <paramref name="offset"/> (a constant, so the loads
    /// address q directly; rows 0..3, 4..7; see <see cref="Chunk{T}"/> for the parts),
    /// built with shift-and-insert (two or three instructions a vector), against quadruplet <paramref name="mm"/> of each
    /// of the four tokens' activations.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FourTokenChunk<T>(byte* q, [ConstantExpected] int offset, [ConstantExpected(Max = 3)] int part,
        Vector128<byte> six, Vector128<byte> top, Vector128<sbyte> y0, Vector128<sbyte> y1, Vector128<sbyte> y2, Vector128<sbyte> y3, [ConstantExpected(Max = 3)] byte mm,
        ref Vector128<int> r00, ref Vector128<int> r01, ref Vector128<int> r10, ref Vector128<int> r11,
        ref Vector128<int> r20, ref Vector128<int> r21, ref Vector128<int> r30, ref Vector128<int> r31) where T : struct, IArmIntDot
    {
        int nibbles = offset + (part % 2 == 1 ? InterleavedQ6_K.SecondNibbles : 0), high = offset + InterleavedQ6_K.HighBits;
        Vector128<byte> n0 = Vector128.Load(q + nibbles), n1 = Vector128.Load(q + nibbles + 16);
        Vector128<byte> h0 = Vector128.Load(q + high), h1 = Vector128.Load(q + high + 16);
        // One call per part rather than a pair of locals assigned in either branch: such locals cost register copies (and
        // here spills). Part 0: low nibbles with high-bit pair 0-1; 1: low nibbles (of the second nibble chunk) with pair
        // 2-3; 2: high nibbles with pair 4-5; 3: high nibbles with pair 6-7.
        if (part == 0)
            FourTokenDots.Chunk<T>((Neon.ShiftLeftInsert(n0, h0) & six).AsSByte(), (Neon.ShiftLeftInsert(n1, h1) & six).AsSByte(),
                y0, y1, y2, y3, mm, ref r00, ref r01, ref r10, ref r11, ref r20, ref r21, ref r30, ref r31);
        else if (part == 1)
            FourTokenDots.Chunk<T>((Neon.ShiftLeftInsert(n0, h0 >>> 2) & six).AsSByte(), (Neon.ShiftLeftInsert(n1, h1 >>> 2) & six).AsSByte(),
                y0, y1, y2, y3, mm, ref r00, ref r01, ref r10, ref r11, ref r20, ref r21, ref r30, ref r31);
        else if (part == 2)
            FourTokenDots.Chunk<T>(Neon.ShiftRightInsert(h0 & top, n0).AsSByte(), Neon.ShiftRightInsert(h1 & top, n1).AsSByte(),
                y0, y1, y2, y3, mm, ref r00, ref r01, ref r10, ref r11, ref r20, ref r21, ref r30, ref r31);
        else
            FourTokenDots.Chunk<T>(Neon.ShiftRightInsert((h0 >>> 2) & top, n0).AsSByte(), Neon.ShiftRightInsert((h1 >>> 2) & top, n1).AsSByte(),
                y0, y1, y2, y3, mm, ref r00, ref r01, ref r10, ref r11, ref r20, ref r21, ref r30, ref r31);
    }
}
