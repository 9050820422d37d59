using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using EdgeLlm.Core.Tensors.Formats;

namespace EdgeLlm.Core.Tensors.Arm;

/// <summary>
/// Interleaved Q4_0 (<see cref="InterleavedQ4_0"/>) × Q8_0 on arm64 with SDOT: each 128-bit int lane is one row, rows 0..3
/// in one register and 4..7 in another, so a block of 8 rows costs 8 SDOTs per half and one convert and multiply-add.
/// </summary>
/// <remarks>
/// Needs an SDOT whose lane i sums exactly bytes 4i..4i+3 (<see cref="SdotArm"/>, or <see cref="EmulatedSdot"/> in tests);
/// the widening path of the Cortex-A72 spreads a lane's products over two lanes, so that CPU keeps the row-major kernels.
/// </remarks>
internal static unsafe class InterleavedQ4_0Arm
{
    private const int AB = BlockQ8_0.Bytes;

    public static void Rows<T>(byte* groups, int groupCount, byte* a, int n, float* results) where T : struct, IArmIntDot
    {
        int nb = n / 32;
        long groupBytes = InterleavedQ4_0.GroupBytes(n);
        float* aux = stackalloc float[2 * nb];
        Prepare(a, 0, 1, n, aux);
        // Parameters, not constants: the JIT would rematerialize a constant vector in every iteration.
        Vector128<byte> mask = Vector128.Create((byte)0x0F);
        Vector128<int> signMask = Vector128.Create(unchecked((int)0x8FFFE000));
        for (int g = 0; g < groupCount; g++)
            Generate<T>(groups + g * groupBytes, nb, a + BlockQ8_0.Qs, (int*)(aux + nb), aux, results + g * 8, mask, signMask);
    }

    /// <summary>
    /// Activation terms per token and block: aux[t·nb + b] = d_a·2¹¹², then the ints −8·Σy at aux + tokens·nb. The weights'
    /// d are converted scaled down by 2¹¹² (<see cref="Fp16.ToSingleScaledDown(Vector128{int})"/>) and d_a carries the
    /// factor, so d_w·d_a is rounded once as in ggml.
    /// </summary>
    public static void Prepare(byte* act, nint stride, int tokens, int n, float* aux)
    {
        int nb = n / 32;
        int* bias = (int*)(aux + tokens * nb);
        for (int t = 0; t < tokens; t++)
            for (int b = 0; b < nb; b++)
            {
                byte* y = act + t * stride + b * AB;
                Vector128<sbyte> y0 = Vector128.Load((sbyte*)(y + BlockQ8_0.Qs)), y1 = Vector128.Load((sbyte*)(y + BlockQ8_0.Qs + 16));
                bias[t * nb + b] = -8 * Vector128.Sum(Neon.AddPairsWiden(Neon.AddPairsWiden(y0), y1));
                aux[t * nb + b] = Fp16.ToSingleArithmetic(*(ushort*)y) * Fp16.TwoPow112;
            }
    }

    /// <summary>Bytes per block of a four-token pack (<see cref="PrepareTile"/>): 4 × 32 quants, 4 d_a·2¹¹², 4 × 8 biases.</summary>
    private const int PackBytes = 4 * 32 + 16 + 4 * 32;

    /// <summary>Where a pack's biases start: token k's bias fills the eight ints at <see cref="PackBiases"/> + 32k.</summary>
    private const int PackBiases = 4 * 32 + 16;

    /// <summary>Floats of <see cref="PrepareTile"/> output per token and block: <see cref="Prepare"/>'s 2, then the packs'.</summary>
    public const int TileAuxPerBlock = 2 + PackBytes / 16;

    /// <summary>
    /// <see cref="Prepare"/>, then for each whole four tokens a pack per block: the four tokens' 32 quants one after the
    /// other, their d_a·2¹¹² as a four-lane vector, then each token's bias eight times. <see cref="FourTokens{T}"/> walks one
    /// pointer with constant offsets, takes a token's d by lane (fmul by element) and starts both of its SDOT chains with one
    /// ldp of the bias copies; a register holding all four biases (dup by element, then a copy) cost one instruction more
    /// per token and one too many registers, and the JIT spilled (counted on the Cortex-A76: 43 → 35 → ~32 instructions
    /// per block of 8 rows and token).
    /// </summary>
    public static void PrepareTile(byte* act, nint stride, int tokens, int n, float* aux)
    {
        int nb = n / 32;
        Prepare(act, stride, tokens, n, aux);
        int* bias = (int*)(aux + tokens * nb);
        byte* packs = Packs(aux, tokens, nb);
        for (int t0 = 0; t0 + 4 <= tokens; t0 += 4)
            for (int b = 0; b < nb; b++)
            {
                byte* pack = packs + ((long)(t0 / 4) * nb + b) * PackBytes;
                for (int k = 0; k < 4; k++)
                {
                    // Vector copies, not Buffer.MemoryCopy and Span.Fill: calls per token and block cost more than the copies.
                    byte* y = act + (t0 + k) * stride + b * AB + BlockQ8_0.Qs;
                    Vector128.Load(y).Store(pack + 32 * k);
                    Vector128.Load(y + 16).Store(pack + 32 * k + 16);
                    ((float*)(pack + 128))[k] = aux[(t0 + k) * nb + b];
                    Vector128<int> biases = Vector128.Create(bias[(t0 + k) * nb + b]);
                    biases.Store((int*)(pack + PackBiases + 32 * k));
                    biases.Store((int*)(pack + PackBiases + 32 * k + 16));
                }
            }
    }

    /// <summary>Where <see cref="PrepareTile"/>'s packs start: after <see cref="Prepare"/>'s d and bias of every token and block.</summary>
    private static byte* Packs(float* aux, int tokens, int nb) => (byte*)(aux + 2 * tokens * nb);

    /// <summary>
    /// One group × one token for generation (y at the first block's quants), written for the fewest instructions per block:
    /// one SDOT chain per four rows (rows 0-3 and 4-7 are two independent chains, and the next block's chains do not wait
    /// for this block's), chunk addresses as constant offsets of one pointer, the scales' halves loaded as two 64-bit
    /// halves (no copy before widening), d_a applied by element.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Generate<T>(byte* q, int nb, byte* y, int* bias, float* dy, float* results, Vector128<byte> mask, Vector128<int> signMask)
        where T : struct, IArmIntDot
    {
        Vector128<float> acc0 = default, acc1 = default;
        for (int b = 0; b < nb; b++, y += AB, q += InterleavedQ4_0.BlockBytes)
        {
            short* s = (short*)(q + InterleavedQ4_0.BlockQuantBytes);
            Vector128<int> r0 = Vector128.Create(bias[b]), r1 = r0;
            Vector128<sbyte> yl = Vector128.Load((sbyte*)y), yh = Vector128.Load((sbyte*)(y + 16));
            GenChunk<T>(q, 0, yl, yh, 0, mask, ref r0, ref r1);
            GenChunk<T>(q, 32, yl, yh, 1, mask, ref r0, ref r1);
            GenChunk<T>(q, 64, yl, yh, 2, mask, ref r0, ref r1);
            GenChunk<T>(q, 96, yl, yh, 3, mask, ref r0, ref r1);
            Vector128<float> dv = Vector128.CreateScalarUnsafe(dy[b]);
            Vector128<float> dw0 = Neon.MulByLane0(((Neon.WidenHalves(s) << 13) & signMask).AsSingle(), dv);
            Vector128<float> dw1 = Neon.MulByLane0(((Neon.WidenHalves(s + 4) << 13) & signMask).AsSingle(), dv);
            acc0 = Neon.MulAdd(acc0, Vector128.ConvertToSingle(r0), dw0);
            acc1 = Neon.MulAdd(acc1, Vector128.ConvertToSingle(r1), dw1);
        }
        acc0.Store(results);
        acc1.Store(results + 4);
    }

    /// <summary>Chunk c of a block at q + <paramref name="offset"/> (a constant, so both loads address q directly).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void GenChunk<T>(byte* q, [ConstantExpected] int offset, Vector128<sbyte> yl, Vector128<sbyte> yh, [ConstantExpected(Max = 3)] byte c,
        Vector128<byte> mask, ref Vector128<int> r0, ref Vector128<int> r1) where T : struct, IArmIntDot
    {
        Vector128<byte> v0 = Vector128.Load(q + offset), v1 = Vector128.Load(q + offset + 16);
        r0 = T.DotLane(r0, (v0 & mask).AsSByte(), yl, c);
        r1 = T.DotLane(r1, (v1 & mask).AsSByte(), yl, c);
        r0 = T.DotLane(r0, (v0 >>> 4).AsSByte(), yh, c);
        r1 = T.DotLane(r1, (v1 >>> 4).AsSByte(), yh, c);
    }

    /// <summary>
    /// Matrix × matrix for prompt batches, after <see cref="Prepare"/> on the same tokens: output[t·outStride + 8g + r] =
    /// row r of group g · token t. A block's 16 nibble vectors are unpacked once per four tokens and stay in registers
    /// (arm64 has 32), so each token costs its 16 SDOTs, two conversions and two FMAs per block.
    /// </summary>
    public static void Tile<T>(byte* groups, int groupCount, byte* act, nint stride, int tokens, int n, float* aux,
        float* output, nint outStride) where T : struct, IArmIntDot
    {
        int nb = n / 32;
        long groupBytes = InterleavedQ4_0.GroupBytes(n);
        int* bias = (int*)(aux + tokens * nb);
        Vector128<byte> mask = Vector128.Create((byte)0x0F);
        Vector128<int> signMask = Vector128.Create(unchecked((int)0x8FFFE000));
        for (int g = 0; g < groupCount; g++)
        {
            byte* q = groups + g * groupBytes;
            int t = 0;
            for (; t + 4 <= tokens; t += 4)
                FourTokens<T>(q, nb, Packs(aux, tokens, nb) + (long)(t / 4) * nb * PackBytes, output + g * 8 + t * outStride, outStride, mask);
            for (; t < tokens; t++)
                Generate<T>(q, nb, act + t * stride + BlockQ8_0.Qs, bias + t * nb, aux + t * nb, output + g * 8 + t * outStride, mask, signMask);
        }
    }

    /// <summary>
    /// Token k of a pack: its sums of rows 0-3 and 4-7 over the block (one SDOT chain each, from the token's bias), scaled by
    /// d_w·d_a and added to its accumulators.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Token<T>(byte* pack, [ConstantExpected(Max = 3)] byte k, Vector128<float> dy,
        Vector128<float> dw0, Vector128<float> dw1,
        Vector128<sbyte> l00, Vector128<sbyte> l01, Vector128<sbyte> l02, Vector128<sbyte> l03,
        Vector128<sbyte> h00, Vector128<sbyte> h01, Vector128<sbyte> h02, Vector128<sbyte> h03,
        Vector128<sbyte> l10, Vector128<sbyte> l11, Vector128<sbyte> l12, Vector128<sbyte> l13,
        Vector128<sbyte> h10, Vector128<sbyte> h11, Vector128<sbyte> h12, Vector128<sbyte> h13,
        ref Vector128<float> acc0, ref Vector128<float> acc1) where T : struct, IArmIntDot
    {
        Vector128<sbyte> yl = Vector128.Load((sbyte*)(pack + 32 * k)), yh = Vector128.Load((sbyte*)(pack + 32 * k + 16));
        Vector128<int> r0 = Vector128.Load((int*)(pack + PackBiases + 32 * k)), r1 = Vector128.Load((int*)(pack + PackBiases + 32 * k + 16));
        r0 = T.DotLane(r0, l00, yl, 0); r1 = T.DotLane(r1, l10, yl, 0);
        r0 = T.DotLane(r0, l01, yl, 1); r1 = T.DotLane(r1, l11, yl, 1);
        r0 = T.DotLane(r0, l02, yl, 2); r1 = T.DotLane(r1, l12, yl, 2);
        r0 = T.DotLane(r0, l03, yl, 3); r1 = T.DotLane(r1, l13, yl, 3);
        r0 = T.DotLane(r0, h00, yh, 0); r1 = T.DotLane(r1, h10, yh, 0);
        r0 = T.DotLane(r0, h01, yh, 1); r1 = T.DotLane(r1, h11, yh, 1);
        r0 = T.DotLane(r0, h02, yh, 2); r1 = T.DotLane(r1, h12, yh, 2);
        r0 = T.DotLane(r0, h03, yh, 3); r1 = T.DotLane(r1, h13, yh, 3);
        acc0 = Neon.MulAdd(acc0, Vector128.ConvertToSingle(r0), Neon.MulByLane(dw0, dy, k));
        acc1 = Neon.MulAdd(acc1, Vector128.ConvertToSingle(r1), Neon.MulByLane(dw1, dy, k));
    }

    /// <summary>One group × four tokens over all blocks, from their packs (<see cref="PrepareTile"/>).</summary>
    private static void FourTokens<T>(byte* q, int nb, byte* pack, float* output, nint outStride, Vector128<byte> mask)
        where T : struct, IArmIntDot
    {
        Vector128<float> a00 = default, a01 = default, a10 = default, a11 = default, a20 = default, a21 = default, a30 = default, a31 = default;
        for (byte* end = q + (long)nb * InterleavedQ4_0.BlockBytes; q < end; pack += PackBytes, q += InterleavedQ4_0.BlockBytes)
        {
            Vector128<byte> v00 = Vector128.Load(q), v10 = Vector128.Load(q + 16), v01 = Vector128.Load(q + 32), v11 = Vector128.Load(q + 48);
            Vector128<byte> v02 = Vector128.Load(q + 64), v12 = Vector128.Load(q + 80), v03 = Vector128.Load(q + 96), v13 = Vector128.Load(q + 112);
            Vector128<sbyte> l00 = (v00 & mask).AsSByte(), l01 = (v01 & mask).AsSByte(), l02 = (v02 & mask).AsSByte(), l03 = (v03 & mask).AsSByte();
            Vector128<sbyte> l10 = (v10 & mask).AsSByte(), l11 = (v11 & mask).AsSByte(), l12 = (v12 & mask).AsSByte(), l13 = (v13 & mask).AsSByte();
            Vector128<sbyte> h00 = (v00 >>> 4).AsSByte(), h01 = (v01 >>> 4).AsSByte(), h02 = (v02 >>> 4).AsSByte(), h03 = (v03 >>> 4).AsSByte();
            Vector128<sbyte> h10 = (v10 >>> 4).AsSByte(), h11 = (v11 >>> 4).AsSByte(), h12 = (v12 >>> 4).AsSByte(), h13 = (v13 >>> 4).AsSByte();
            // The mask made here, which the JIT rebuilds per block (one mvni) when registers run out, where a parameter is
            // spilled and reloaded (two).
            Vector128<short> h = Vector128.Load((short*)(q + InterleavedQ4_0.BlockQuantBytes));
            Vector128<int> signMask = Neon.HalfSignMask;
            Vector128<float> dw0 = Neon.LowerHalvesScaledDown(h, signMask), dw1 = Neon.UpperHalvesScaledDown(h, signMask);
            Vector128<float> dy = Vector128.Load((float*)(pack + 128));
            // Four tokens written out: a loop over them would keep the accumulators in memory.
            Token<T>(pack, 0, dy, dw0, dw1, l00, l01, l02, l03, h00, h01, h02, h03, l10, l11, l12, l13, h10, h11, h12, h13, ref a00, ref a01);
            Token<T>(pack, 1, dy, dw0, dw1, l00, l01, l02, l03, h00, h01, h02, h03, l10, l11, l12, l13, h10, h11, h12, h13, ref a10, ref a11);
            Token<T>(pack, 2, dy, dw0, dw1, l00, l01, l02, l03, h00, h01, h02, h03, l10, l11, l12, l13, h10, h11, h12, h13, ref a20, ref a21);
            Token<T>(pack, 3, dy, dw0, dw1, l00, l01, l02, l03, h00, h01, h02, h03, l10, l11, l12, l13, h10, h11, h12, h13, ref a30, ref a31);
        }
        a00.Store(output); a01.Store(output + 4);
        a10.Store(output + outStride); a11.Store(output + outStride + 4);
        a20.Store(output + 2 * outStride); a21.Store(output + 2 * outStride + 4);
        a30.Store(output + 3 * outStride); a31.Store(output + 3 * outStride + 4);
    }
}
