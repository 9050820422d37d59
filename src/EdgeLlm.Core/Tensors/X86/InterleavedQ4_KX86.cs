using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using EdgeLlm.Core.Tensors.Formats;

namespace EdgeLlm.Core.Tensors.X86;

/// <summary>
/// Interleaved Q4_K (<see cref="InterleavedQ4_K"/>) × Q8_K on x64: one row per 256-bit int lane. A 32-column sub-block
/// is 8 integer dot instructions for 8 rows; its sum is scaled by the rows' 6-bit scales in integers, and the
/// block needs one conversion and one FMA for the scales and one for the mins per 8 rows.
/// </summary>
/// <remarks>
/// ggml's order: isum = Σ_j scale_j·Σ q·y in integers, then d·d_a·isum − dmin·d_a·Σ_j min_j·Σy_j in float. The mins term
/// uses pmaddwd on (min_2p, min_2p+1) × (Σy_2p, Σy_2p+1) int16 pairs (|Σy_j| ≤ 32·128 fits).
/// </remarks>
internal static unsafe class InterleavedQ4_KX86
{
    private const int AB = BlockQ8_K.Bytes;

    /// <summary>Floats of activation terms per token and block: d_a, then four packed (Σy_2p, Σy_2p+1) int16 pairs.</summary>
    public const int AuxPerBlock = 5;

    /// <summary>aux[t·nb + b] = d_a of token t, block b; then ints [(t·nb + b)·4 + p] = Σy_2p | Σy_2p+1 &lt;&lt; 16.</summary>
    public static void Prepare(byte* act, nint stride, int tokens, int n, float* aux)
    {
        int nb = n / BlockQ8_K.Elements;
        int* pairs = (int*)(aux + tokens * nb);
        for (int t = 0; t < tokens; t++)
            for (int b = 0; b < nb; b++)
            {
                byte* y = act + t * stride + b * AB;
                aux[t * nb + b] = *(float*)(y + BlockQ8_K.D);
                short* bsums = (short*)(y + BlockQ8_K.BSums);
                for (int p = 0; p < 4; p++)
                {
                    int s0 = bsums[4 * p] + bsums[4 * p + 1], s1 = bsums[4 * p + 2] + bsums[4 * p + 3];
                    pairs[(t * nb + b) * 4 + p] = (s0 & 0xFFFF) | (s1 << 16);
                }
            }
    }

    public static void Rows<T>(byte* groups, int groupCount, byte* a, int n, float* results) where T : struct, IX86IntDot
    {
        int nb = n / BlockQ8_K.Elements;
        float* aux = stackalloc float[nb * AuxPerBlock];
        Prepare(a, 0, 1, n, aux);
        long groupBytes = InterleavedQ4_K.GroupBytes(n);
        for (int g = 0; g < groupCount; g++)
            OneToken<T>(groups + g * groupBytes, nb, a + BlockQ8_K.Qs, aux, (int*)(aux + nb), results + g * 8);
    }

    /// <summary>output[t·outStride + 8g + r] = row r of group g · token t, after <see cref="Prepare"/> on the same tokens.</summary>
    public static void Tile<T>(byte* groups, int groupCount, byte* act, nint stride, int tokens, int n, float* aux,
        float* output, nint outStride) where T : struct, IX86IntDot
    {
        int nb = n / BlockQ8_K.Elements;
        long groupBytes = InterleavedQ4_K.GroupBytes(n);
        int* pairs = (int*)(aux + tokens * nb);
        for (int g = 0; g < groupCount; g++)
        {
            byte* q = groups + g * groupBytes;
            int t = 0;
            for (; t + 4 <= tokens; t += 4)
                FourTokens<T>(q, nb, act + t * stride + BlockQ8_K.Qs, stride, aux + t * nb, pairs + t * nb * 4, output + g * 8 + t * outStride, outStride);
            for (; t < tokens; t++)
                OneToken<T>(q, nb, act + t * stride + BlockQ8_K.Qs, aux + t * nb, pairs + t * nb * 4, output + g * 8 + t * outStride);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<sbyte> Quad(byte* y) => Vector256.Create(*(int*)y).AsSByte();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Bytes(byte* p) => Avx2.ConvertToVector256Int32(p);

    /// <summary>The 8 rows' (min_2p, min_2p+1) as int16 pairs, one pair per int lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<short> MinPairs(byte* mins, int p)
    {
        Vector128<byte> both = Vector128.Load(mins + 16 * p); // min_2p of rows 0..7, then min_2p+1 of rows 0..7
        return Avx2.ConvertToVector256Int16(Sse2.UnpackLow(both, Sse2.ShiftRightLogical128BitLane(both, 8))).AsInt16();
    }

    private static void OneToken<T>(byte* q, int nb, byte* y, float* dy, int* pairs, float* output) where T : struct, IX86IntDot
    {
        byte* meta = q + InterleavedQ4_K.BlockQuantBytes;
        Vector256<byte> mask = Vector256.Create((byte)0x0F);
        Vector256<float> acc = default;
        for (int b = 0; b < nb; b++, q += InterleavedQ4_K.BlockBytes, meta += InterleavedQ4_K.BlockBytes, y += AB)
        {
            Vector256<int> isum = default;
            for (int c = 0; c < 4; c++)
            {
                byte* qc = q + 256 * c, yc = y + 64 * c;
                Vector256<int> lo0 = default, lo1 = default, hi0 = default, hi1 = default;
                for (int k = 0; k < 8; k += 2)
                {
                    Vector256<byte> v0 = Vector256.Load(qc + 32 * k), v1 = Vector256.Load(qc + 32 * k + 32);
                    lo0 = T.Partial(lo0, v0 & mask, Quad(yc + 4 * k));
                    hi0 = T.Partial(hi0, Avx2.ShiftRightLogical(v0.AsUInt16(), 4).AsByte() & mask, Quad(yc + 32 + 4 * k));
                    lo1 = T.Partial(lo1, v1 & mask, Quad(yc + 4 * k + 4));
                    hi1 = T.Partial(hi1, Avx2.ShiftRightLogical(v1.AsUInt16(), 4).AsByte() & mask, Quad(yc + 32 + 4 * k + 4));
                }
                Vector256<int> sl = Bytes(meta + InterleavedQ4_K.MetaScales + 16 * c), sh = Bytes(meta + InterleavedQ4_K.MetaScales + 16 * c + 8);
                isum = T.FinishScaled(T.FinishScaled(isum, lo0, sl), lo1, sl);
                isum = T.FinishScaled(T.FinishScaled(isum, hi0, sh), hi1, sh);
            }
            Vector256<int> minSum = default;
            for (int p = 0; p < 4; p++)
                minSum = T.MaddI16(minSum, MinPairs(meta + InterleavedQ4_K.MetaMins, p), Vector256.Create(pairs[b * 4 + p]).AsInt16());
            Vector256<float> da = Vector256.Create(dy[b]);
            acc = Fma.MultiplyAdd(Avx.ConvertToVector256Single(isum), InterleavedQ4_0X86.Halves(meta + InterleavedQ4_K.MetaD) * da, acc);
            acc = Fma.MultiplyAddNegated(Avx.ConvertToVector256Single(minSum), InterleavedQ4_0X86.Halves(meta + InterleavedQ4_K.MetaDMin) * da, acc);
        }
        acc.Store(output);
    }

    private static void FourTokens<T>(byte* q, int nb, byte* y, nint stride, float* dy, int* pairs, float* output, nint outStride) where T : struct, IX86IntDot
    {
        byte* meta = q + InterleavedQ4_K.BlockQuantBytes;
        Vector256<byte> mask = Vector256.Create((byte)0x0F);
        Vector256<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
        for (int b = 0; b < nb; b++, q += InterleavedQ4_K.BlockBytes, meta += InterleavedQ4_K.BlockBytes, y += AB)
        {
            Vector256<int> is0 = default, is1 = default, is2 = default, is3 = default;
            for (int c = 0; c < 4; c++)
            {
                byte* qc = q + 256 * c, yc = y + 64 * c;
                Vector256<int> l0 = default, l1 = default, l2 = default, l3 = default, h0 = default, h1 = default, h2 = default, h3 = default;
                for (int k = 0; k < 8; k++)
                {
                    Vector256<byte> v = Vector256.Load(qc + 32 * k);
                    Vector256<byte> lo = v & mask, hi = Avx2.ShiftRightLogical(v.AsUInt16(), 4).AsByte() & mask;
                    byte* yk = yc + 4 * k;
                    l0 = T.Partial(l0, lo, Quad(yk)); h0 = T.Partial(h0, hi, Quad(yk + 32));
                    l1 = T.Partial(l1, lo, Quad(yk + stride)); h1 = T.Partial(h1, hi, Quad(yk + stride + 32));
                    l2 = T.Partial(l2, lo, Quad(yk + 2 * stride)); h2 = T.Partial(h2, hi, Quad(yk + 2 * stride + 32));
                    l3 = T.Partial(l3, lo, Quad(yk + 3 * stride)); h3 = T.Partial(h3, hi, Quad(yk + 3 * stride + 32));
                }
                Vector256<int> sl = Bytes(meta + InterleavedQ4_K.MetaScales + 16 * c), sh = Bytes(meta + InterleavedQ4_K.MetaScales + 16 * c + 8);
                is0 = T.FinishScaled(T.FinishScaled(is0, l0, sl), h0, sh);
                is1 = T.FinishScaled(T.FinishScaled(is1, l1, sl), h1, sh);
                is2 = T.FinishScaled(T.FinishScaled(is2, l2, sl), h2, sh);
                is3 = T.FinishScaled(T.FinishScaled(is3, l3, sl), h3, sh);
            }
            Vector256<int> m0 = default, m1 = default, m2 = default, m3 = default;
            for (int p = 0; p < 4; p++)
            {
                Vector256<short> mp = MinPairs(meta + InterleavedQ4_K.MetaMins, p);
                m0 = T.MaddI16(m0, mp, Vector256.Create(pairs[b * 4 + p]).AsInt16());
                m1 = T.MaddI16(m1, mp, Vector256.Create(pairs[(nb + b) * 4 + p]).AsInt16());
                m2 = T.MaddI16(m2, mp, Vector256.Create(pairs[(2 * nb + b) * 4 + p]).AsInt16());
                m3 = T.MaddI16(m3, mp, Vector256.Create(pairs[(3 * nb + b) * 4 + p]).AsInt16());
            }
            Vector256<float> d = InterleavedQ4_0X86.Halves(meta + InterleavedQ4_K.MetaD), dmin = InterleavedQ4_0X86.Halves(meta + InterleavedQ4_K.MetaDMin);
            acc0 = Step(acc0, is0, m0, d, dmin, dy[b]);
            acc1 = Step(acc1, is1, m1, d, dmin, dy[nb + b]);
            acc2 = Step(acc2, is2, m2, d, dmin, dy[2 * nb + b]);
            acc3 = Step(acc3, is3, m3, d, dmin, dy[3 * nb + b]);
        }
        acc0.Store(output);
        acc1.Store(output + outStride);
        acc2.Store(output + 2 * outStride);
        acc3.Store(output + 3 * outStride);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Step(Vector256<float> acc, Vector256<int> isum, Vector256<int> minSum, Vector256<float> d, Vector256<float> dmin, float dy)
    {
        Vector256<float> da = Vector256.Create(dy);
        acc = Fma.MultiplyAdd(Avx.ConvertToVector256Single(isum), d * da, acc);
        return Fma.MultiplyAddNegated(Avx.ConvertToVector256Single(minSum), dmin * da, acc);
    }
}
