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

    /// <summary>Ints of activation terms per token and block: −32·Σy of each 16-column sub-block.</summary>
    public const int AuxPerBlock = 16;

    /// <summary>aux[(t·nb + b)·16 + s] = −32·Σy over sub-block s of token t's block b (as int bits).</summary>
    public static void Prepare(byte* act, nint stride, int tokens, int n, float* aux)
    {
        int nb = n / BlockQ8_K.Elements;
        int* bias = (int*)aux;
        for (int t = 0; t < tokens; t++)
            for (int b = 0; b < nb; b++)
            {
                short* bsums = (short*)(act + t * stride + b * AB + BlockQ8_K.BSums);
                for (int s = 0; s < 16; s++) bias[(t * nb + b) * 16 + s] = -32 * bsums[s];
            }
    }

    public static void Rows<T>(byte* groups, int groupCount, byte* a, int n, float* results) where T : struct, IX86IntDot
    {
        int nb = n / BlockQ8_K.Elements;
        float* aux = stackalloc float[nb * AuxPerBlock];
        Prepare(a, 0, 1, n, aux);
        Tile<T>(groups, groupCount, a, 0, 1, n, aux, results, 0);
    }

    /// <summary>output[t·outStride + 8g + r] = row r of group g · token t, after <see cref="Prepare"/> on the same tokens.</summary>
    public static void Tile<T>(byte* groups, int groupCount, byte* act, nint stride, int tokens, int n, float* aux,
        float* output, nint outStride) where T : struct, IX86IntDot
    {
        int nb = n / BlockQ8_K.Elements;
        long groupBytes = InterleavedQ6_K.GroupBytes(n);
        int* bias = (int*)aux;
        for (int g = 0; g < groupCount; g++)
        {
            byte* q = groups + g * groupBytes;
            int t = 0;
            for (; t + 4 <= tokens; t += 4)
                FourTokens<T>(q, nb, act + t * stride, stride, bias + t * nb * 16, output + g * 8 + t * outStride, outStride);
            for (; t < tokens; t++)
                OneGroup<T>(q, nb, act + t * stride, bias + t * nb * 16, output + g * 8 + t * outStride);
        }
    }

    /// <summary>The four vectors of 6-bit quants of chunk m: columns 4m.., 64 + 4m.., 128 + 4m.., 192 + 4m...</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Quants(byte* q, int m, out Vector256<byte> va, out Vector256<byte> vb, out Vector256<byte> vc, out Vector256<byte> vd)
    {
        Vector256<byte> low = Vector256.Create((byte)0x0F), top = Vector256.Create((byte)0x30);
        byte* chunk = q + InterleavedQ6_K.Chunk(m);
        Vector256<byte> l0 = Vector256.Load(chunk), l1 = Vector256.Load(chunk + InterleavedQ6_K.SecondNibbles);
        Vector256<ushort> h = Vector256.Load((ushort*)(chunk + InterleavedQ6_K.HighBits));
        va = (l0 & low) | (Avx2.ShiftLeftLogical(h, 4).AsByte() & top);
        vb = (l1 & low) | (Avx2.ShiftLeftLogical(h, 2).AsByte() & top);
        vc = (Avx2.ShiftRightLogical(l0.AsUInt16(), 4).AsByte() & low) | (h.AsByte() & top);
        vd = (Avx2.ShiftRightLogical(l1.AsUInt16(), 4).AsByte() & low) | (Avx2.ShiftRightLogical(h, 2).AsByte() & top);
    }

    /// <summary>isum += Σ of the four sub-block sums times their scales.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Scaled(Vector256<int> isum, Vector256<int> sa, Vector256<int> sb, Vector256<int> sc, Vector256<int> sd,
        Vector256<int> ka, Vector256<int> kb, Vector256<int> kc, Vector256<int> kd) =>
        isum + Avx2.MultiplyLow(sa, ka) + Avx2.MultiplyLow(sb, kb) + Avx2.MultiplyLow(sc, kc) + Avx2.MultiplyLow(sd, kd);

    private static void FourTokens<T>(byte* q, int nb, byte* a, nint stride, int* bias, float* output, nint outStride) where T : struct, IX86IntDot
    {
        byte* meta = q + InterleavedQ6_K.BlockQuantBytes;
        Vector256<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
        for (int b = 0; b < nb; b++, q += InterleavedQ6_K.BlockBytes, meta += InterleavedQ6_K.BlockBytes)
        {
            byte* y0 = a + b * AB + BlockQ8_K.Qs, y1 = y0 + stride, y2 = y0 + 2 * stride, y3 = y0 + 3 * stride;
            int* b0 = bias + b * 16, b1 = b0 + nb * 16, b2 = b1 + nb * 16, b3 = b2 + nb * 16;
            Vector256<int> i0 = default, i1 = default, i2 = default, i3 = default;
            for (int sb = 0; sb < 4; sb++)
            {
                Vector256<int> a0 = Vector256.Create(b0[sb]), c0 = Vector256.Create(b0[4 + sb]), e0 = Vector256.Create(b0[8 + sb]), f0 = Vector256.Create(b0[12 + sb]);
                Vector256<int> a1 = Vector256.Create(b1[sb]), c1 = Vector256.Create(b1[4 + sb]), e1 = Vector256.Create(b1[8 + sb]), f1 = Vector256.Create(b1[12 + sb]);
                Vector256<int> a2 = Vector256.Create(b2[sb]), c2 = Vector256.Create(b2[4 + sb]), e2 = Vector256.Create(b2[8 + sb]), f2 = Vector256.Create(b2[12 + sb]);
                Vector256<int> a3 = Vector256.Create(b3[sb]), c3 = Vector256.Create(b3[4 + sb]), e3 = Vector256.Create(b3[8 + sb]), f3 = Vector256.Create(b3[12 + sb]);
                for (int mm = 0; mm < 4; mm++)
                {
                    int m = 4 * sb + mm;
                    Quants(q, m, out var va, out var vb, out var vc, out var vd);
                    int o = 4 * m;
                    a0 = T.DotU8I8(a0, va, Quad(y0 + o)); c0 = T.DotU8I8(c0, vb, Quad(y0 + 64 + o)); e0 = T.DotU8I8(e0, vc, Quad(y0 + 128 + o)); f0 = T.DotU8I8(f0, vd, Quad(y0 + 192 + o));
                    a1 = T.DotU8I8(a1, va, Quad(y1 + o)); c1 = T.DotU8I8(c1, vb, Quad(y1 + 64 + o)); e1 = T.DotU8I8(e1, vc, Quad(y1 + 128 + o)); f1 = T.DotU8I8(f1, vd, Quad(y1 + 192 + o));
                    a2 = T.DotU8I8(a2, va, Quad(y2 + o)); c2 = T.DotU8I8(c2, vb, Quad(y2 + 64 + o)); e2 = T.DotU8I8(e2, vc, Quad(y2 + 128 + o)); f2 = T.DotU8I8(f2, vd, Quad(y2 + 192 + o));
                    a3 = T.DotU8I8(a3, va, Quad(y3 + o)); c3 = T.DotU8I8(c3, vb, Quad(y3 + 64 + o)); e3 = T.DotU8I8(e3, vc, Quad(y3 + 128 + o)); f3 = T.DotU8I8(f3, vd, Quad(y3 + 192 + o));
                }
                Vector256<int> ka = Scale(meta, sb), kb = Scale(meta, 4 + sb), kc = Scale(meta, 8 + sb), kd = Scale(meta, 12 + sb);
                i0 = Scaled(i0, a0, c0, e0, f0, ka, kb, kc, kd);
                i1 = Scaled(i1, a1, c1, e1, f1, ka, kb, kc, kd);
                i2 = Scaled(i2, a2, c2, e2, f2, ka, kb, kc, kd);
                i3 = Scaled(i3, a3, c3, e3, f3, ka, kb, kc, kd);
            }
            Vector256<float> d = InterleavedQ4_0X86.Halves(meta + InterleavedQ6_K.MetaD);
            acc0 = Fma.MultiplyAdd(Avx.ConvertToVector256Single(i0), d * Vector256.Create(*(float*)(y0 - BlockQ8_K.Qs + BlockQ8_K.D)), acc0);
            acc1 = Fma.MultiplyAdd(Avx.ConvertToVector256Single(i1), d * Vector256.Create(*(float*)(y1 - BlockQ8_K.Qs + BlockQ8_K.D)), acc1);
            acc2 = Fma.MultiplyAdd(Avx.ConvertToVector256Single(i2), d * Vector256.Create(*(float*)(y2 - BlockQ8_K.Qs + BlockQ8_K.D)), acc2);
            acc3 = Fma.MultiplyAdd(Avx.ConvertToVector256Single(i3), d * Vector256.Create(*(float*)(y3 - BlockQ8_K.Qs + BlockQ8_K.D)), acc3);
        }
        acc0.Store(output);
        acc1.Store(output + outStride);
        acc2.Store(output + 2 * outStride);
        acc3.Store(output + 3 * outStride);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<sbyte> Quad(byte* y) => Vector256.Create(*(int*)y).AsSByte();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Scale(byte* meta, int subBlock) => Avx2.ConvertToVector256Int32((sbyte*)(meta + InterleavedQ6_K.MetaScales + 8 * subBlock));

    private static void OneGroup<T>(byte* q, int nb, byte* a, int* bias, float* output) where T : struct, IX86IntDot
    {
        byte* meta = q + InterleavedQ6_K.BlockQuantBytes;
        Vector256<float> acc = default;
        for (int b = 0; b < nb; b++, q += InterleavedQ6_K.BlockBytes, meta += InterleavedQ6_K.BlockBytes)
        {
            byte* y = a + b * AB + BlockQ8_K.Qs;
            int* bb = bias + b * 16; // this token's terms
            Vector256<int> isum = default;
            for (int sb = 0; sb < 4; sb++)
            {
                Vector256<int> sa = Vector256.Create(bb[sb]), sB = Vector256.Create(bb[4 + sb]);
                Vector256<int> sc = Vector256.Create(bb[8 + sb]), sd = Vector256.Create(bb[12 + sb]);
                // Two chunks per step: their 6-bit products are summed as int16 pairs (T.Partial allows two such calls)
                // before one widening step, which spares the multiply ports a pmaddwd per chunk on AVX2.
                for (int mm = 0; mm < 4; mm += 2)
                {
                    int m = 4 * sb + mm;
                    Quants(q, m, out var va, out var vb, out var vc, out var vd);
                    Vector256<int> pa = T.Partial(default, va, Quad(y + 4 * m)), pb = T.Partial(default, vb, Quad(y + 64 + 4 * m));
                    Vector256<int> pc = T.Partial(default, vc, Quad(y + 128 + 4 * m)), pd = T.Partial(default, vd, Quad(y + 192 + 4 * m));
                    Quants(q, m + 1, out va, out vb, out vc, out vd);
                    sa = T.Finish(sa, T.Partial(pa, va, Quad(y + 4 * m + 4)));
                    sB = T.Finish(sB, T.Partial(pb, vb, Quad(y + 64 + 4 * m + 4)));
                    sc = T.Finish(sc, T.Partial(pc, vc, Quad(y + 128 + 4 * m + 4)));
                    sd = T.Finish(sd, T.Partial(pd, vd, Quad(y + 192 + 4 * m + 4)));
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
