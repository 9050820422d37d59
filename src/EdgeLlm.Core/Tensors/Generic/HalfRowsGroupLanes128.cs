using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using EdgeLlm.Core.Tensors.Arm;

namespace EdgeLlm.Core.Tensors.Generic;

/// <summary>
/// Attention over an F16 KV cache with 128-bit vectors (arm64) for 2 to 8 query heads that share a key/value head, one head
/// per vector lane: each key half, converted in a register, multiplies four heads' query values in one fmla by element, and
/// each value half four heads' probabilities. Every multiply-add does four useful products and nothing is summed across
/// lanes, where rows in lanes (<see cref="HalfRowsGrouped128"/>) reload the converted rows once per head and reduce each dot
/// at the end: about 0.39 instructions per multiply-add for eight heads here (read off the arm64 disassembly), against 0.5 there.
/// </summary>
/// <remarks>
/// Layouts: the queries transposed, <c>qt[d·lanes + g]</c> (<see cref="TransposeQueries"/>); scores and probabilities
/// <c>s[r·lanes + g]</c>; outputs as the heads lie, <c>o[g·n + d]</c>. <c>lanes</c> is 4 for 2-4 heads and 8 for 5-8; the
/// spare lanes' queries are zero and their outputs are computed and dropped. As in <see cref="HalfRowsGrouped128"/>, the
/// queries and probabilities come rounded to F16 precision and multiplied by 2¹¹², and the halves are converted scaled down
/// by 2¹¹², so every product is the real one. Each key dot is one fused multiply-add per element in order (within float
/// rounding of the per-head kernel's four partial sums); each value sum is fused in row order, the bits of
/// <see cref="HalfRowsGrouped128.AccumulateValues(ushort*, nint, int, float*, nint, int, float*, nint, int, float*)"/>.
/// Head sizes must be multiples of 16.
/// </remarks>
internal static unsafe class HalfRowsGroupLanes128
{
    /// <summary>The most heads one call takes.</summary>
    public const int MaxGroups = 8;

    /// <summary>Lanes per row of scores for <paramref name="groups"/> heads: 4 or 8.</summary>
    public static int Lanes(int groups) => groups <= 4 ? 4 : 8;

    /// <summary>qt[d·lanes + g] = query g [d] (queries <paramref name="queryStride"/> floats apart), zero in the spare lanes.</summary>
    public static void TransposeQueries(float* queries, nint queryStride, int groups, int n, float* qt)
    {
        int lanes = Lanes(groups);
        for (int d = 0; d < n; d++)
            for (int g = 0; g < lanes; g++)
                qt[d * lanes + g] = g < groups ? queries[g * queryStride + d] : 0f;
    }

    /// <summary>scores[r·lanes + g] = F16 key row r (rows <paramref name="stride"/> halves apart) · query g, from <see cref="TransposeQueries"/>' layout.</summary>
    public static void KeyDots(ushort* keys, nint stride, int rows, float* qt, int lanes, int n, float* scores)
    {
        if (lanes == 8) KeyDots8(keys, stride, rows, qt, n, scores);
        else KeyDots4(keys, stride, rows, qt, n, scores);
    }

    /// <summary>
    /// outputs[g·n + d] = Σ_r p[r·lanes + g] · value row r [d] for every lane g (the spare lanes' too: room for lanes·n
    /// floats), fused, rows in order.
    /// </summary>
    public static void AccumulateValues(ushort* values, nint stride, int rows, float* probabilities, int lanes, int n, float* outputs)
    {
        if (lanes == 8) AccumulateValues8(values, stride, rows, probabilities, n, outputs);
        else AccumulateValues4(values, stride, rows, probabilities, n, outputs);
    }

    /// <summary>Four rows at a time: per eight elements, the 16 query vectors are loaded once for the four rows' 64 multiply-adds.</summary>
    private static void KeyDots8(ushort* keys, nint stride, int rows, float* qt, int n, float* scores)
    {
        Vector128<int> mask = Neon.HalfSignMask;
        nint row1 = 2 * stride, row2 = 4 * stride, row3 = 6 * stride; // bytes from row 0 to rows 1-3
        int r = 0;
        for (; r + 4 <= rows; r += 4, keys += 4 * stride, scores += 32)
        {
            Vector128<float> a0 = default, a1 = default, b0 = default, b1 = default, c0 = default, c1 = default, e0 = default, e1 = default;
            byte* k = (byte*)keys;
            for (float* q = qt, end = qt + 8 * n; q < end; q += 64, k += 16)
            {
                Vector128<short> ka = Vector128.Load((short*)k), kb = Vector128.Load((short*)(k + row1));
                Vector128<short> kc = Vector128.Load((short*)(k + row2)), ke = Vector128.Load((short*)(k + row3));
                Vector128<float> q0 = Vector128.Load(q), q1 = Vector128.Load(q + 4), q2 = Vector128.Load(q + 8), q3 = Vector128.Load(q + 12);
                Vector128<float> q4 = Vector128.Load(q + 16), q5 = Vector128.Load(q + 20), q6 = Vector128.Load(q + 24), q7 = Vector128.Load(q + 28);
                Four8(ref a0, ref a1, Neon.LowerHalvesScaledDown(ka, mask), q0, q1, q2, q3, q4, q5, q6, q7);
                Four8(ref b0, ref b1, Neon.LowerHalvesScaledDown(kb, mask), q0, q1, q2, q3, q4, q5, q6, q7);
                Four8(ref c0, ref c1, Neon.LowerHalvesScaledDown(kc, mask), q0, q1, q2, q3, q4, q5, q6, q7);
                Four8(ref e0, ref e1, Neon.LowerHalvesScaledDown(ke, mask), q0, q1, q2, q3, q4, q5, q6, q7);
                q0 = Vector128.Load(q + 32); q1 = Vector128.Load(q + 36); q2 = Vector128.Load(q + 40); q3 = Vector128.Load(q + 44);
                q4 = Vector128.Load(q + 48); q5 = Vector128.Load(q + 52); q6 = Vector128.Load(q + 56); q7 = Vector128.Load(q + 60);
                Four8(ref a0, ref a1, Neon.UpperHalvesScaledDown(ka, mask), q0, q1, q2, q3, q4, q5, q6, q7);
                Four8(ref b0, ref b1, Neon.UpperHalvesScaledDown(kb, mask), q0, q1, q2, q3, q4, q5, q6, q7);
                Four8(ref c0, ref c1, Neon.UpperHalvesScaledDown(kc, mask), q0, q1, q2, q3, q4, q5, q6, q7);
                Four8(ref e0, ref e1, Neon.UpperHalvesScaledDown(ke, mask), q0, q1, q2, q3, q4, q5, q6, q7);
            }
            a0.Store(scores); a1.Store(scores + 4); b0.Store(scores + 8); b1.Store(scores + 12);
            c0.Store(scores + 16); c1.Store(scores + 20); e0.Store(scores + 24); e1.Store(scores + 28);
        }
        for (; r < rows; r++, keys += stride, scores += 8)
        {
            Vector128<float> s0 = default, s1 = default;
            ushort* k = keys;
            for (float* q = qt, end = qt + 8 * n; q < end; q += 64, k += 8)
            {
                Vector128<short> h = Vector128.Load((short*)k);
                Four8(ref s0, ref s1, Neon.LowerHalvesScaledDown(h, mask), Vector128.Load(q), Vector128.Load(q + 4), Vector128.Load(q + 8),
                    Vector128.Load(q + 12), Vector128.Load(q + 16), Vector128.Load(q + 20), Vector128.Load(q + 24), Vector128.Load(q + 28));
                Four8(ref s0, ref s1, Neon.UpperHalvesScaledDown(h, mask), Vector128.Load(q + 32), Vector128.Load(q + 36), Vector128.Load(q + 40),
                    Vector128.Load(q + 44), Vector128.Load(q + 48), Vector128.Load(q + 52), Vector128.Load(q + 56), Vector128.Load(q + 60));
            }
            s0.Store(scores); s1.Store(scores + 4);
        }
    }

    /// <summary>Four rows at a time: per eight elements, the eight query vectors are loaded once for the four rows' 32 multiply-adds.</summary>
    private static void KeyDots4(ushort* keys, nint stride, int rows, float* qt, int n, float* scores)
    {
        Vector128<int> mask = Neon.HalfSignMask;
        nint row1 = 2 * stride, row2 = 4 * stride, row3 = 6 * stride;
        int r = 0;
        for (; r + 4 <= rows; r += 4, keys += 4 * stride, scores += 16)
        {
            Vector128<float> a = default, b = default, c = default, e = default;
            byte* k = (byte*)keys;
            for (float* q = qt, end = qt + 4 * n; q < end; q += 32, k += 16)
            {
                Vector128<float> q0 = Vector128.Load(q), q1 = Vector128.Load(q + 4), q2 = Vector128.Load(q + 8), q3 = Vector128.Load(q + 12);
                Vector128<float> q4 = Vector128.Load(q + 16), q5 = Vector128.Load(q + 20), q6 = Vector128.Load(q + 24), q7 = Vector128.Load(q + 28);
                Eight4(ref a, Vector128.Load((short*)k), mask, q0, q1, q2, q3, q4, q5, q6, q7);
                Eight4(ref b, Vector128.Load((short*)(k + row1)), mask, q0, q1, q2, q3, q4, q5, q6, q7);
                Eight4(ref c, Vector128.Load((short*)(k + row2)), mask, q0, q1, q2, q3, q4, q5, q6, q7);
                Eight4(ref e, Vector128.Load((short*)(k + row3)), mask, q0, q1, q2, q3, q4, q5, q6, q7);
            }
            a.Store(scores); b.Store(scores + 4); c.Store(scores + 8); e.Store(scores + 12);
        }
        for (; r < rows; r++, keys += stride, scores += 4)
        {
            Vector128<float> s = default;
            ushort* k = keys;
            for (float* q = qt, end = qt + 4 * n; q < end; q += 32, k += 8)
                Eight4(ref s, Vector128.Load((short*)k), mask, Vector128.Load(q), Vector128.Load(q + 4), Vector128.Load(q + 8), Vector128.Load(q + 12),
                    Vector128.Load(q + 16), Vector128.Load(q + 20), Vector128.Load(q + 24), Vector128.Load(q + 28));
            s.Store(scores);
        }
    }

    /// <summary>Eight heads' sums (s0: heads 0-3, s1: 4-7) += four elements of k (in its lanes) · their query vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Four8(ref Vector128<float> s0, ref Vector128<float> s1, Vector128<float> k,
        Vector128<float> q0, Vector128<float> q1, Vector128<float> q2, Vector128<float> q3,
        Vector128<float> q4, Vector128<float> q5, Vector128<float> q6, Vector128<float> q7)
    {
        s0 = Neon.MulAddByLane(s0, q0, k, 0); s1 = Neon.MulAddByLane(s1, q1, k, 0);
        s0 = Neon.MulAddByLane(s0, q2, k, 1); s1 = Neon.MulAddByLane(s1, q3, k, 1);
        s0 = Neon.MulAddByLane(s0, q4, k, 2); s1 = Neon.MulAddByLane(s1, q5, k, 2);
        s0 = Neon.MulAddByLane(s0, q6, k, 3); s1 = Neon.MulAddByLane(s1, q7, k, 3);
    }

    /// <summary>Four heads' sums += eight elements (the halves h) · their query vectors, in element order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Eight4(ref Vector128<float> s, Vector128<short> h, Vector128<int> mask,
        Vector128<float> q0, Vector128<float> q1, Vector128<float> q2, Vector128<float> q3,
        Vector128<float> q4, Vector128<float> q5, Vector128<float> q6, Vector128<float> q7)
    {
        Vector128<float> lo = Neon.LowerHalvesScaledDown(h, mask);
        s = Neon.MulAddByLane(s, q0, lo, 0); s = Neon.MulAddByLane(s, q1, lo, 1);
        s = Neon.MulAddByLane(s, q2, lo, 2); s = Neon.MulAddByLane(s, q3, lo, 3);
        Vector128<float> hi = Neon.UpperHalvesScaledDown(h, mask);
        s = Neon.MulAddByLane(s, q4, hi, 0); s = Neon.MulAddByLane(s, q5, hi, 1);
        s = Neon.MulAddByLane(s, q6, hi, 2); s = Neon.MulAddByLane(s, q7, hi, 3);
    }

    /// <summary>Eight heads × eight elements (16 accumulators) over every row, then the next eight elements.</summary>
    private static void AccumulateValues8(ushort* values, nint stride, int rows, float* probabilities, int n, float* outputs)
    {
        Vector128<int> mask = Neon.HalfSignMask;
        for (int d = 0; d < n; d += 8)
        {
            Vector128<float> o0 = default, o1 = default, o2 = default, o3 = default, o4 = default, o5 = default, o6 = default, o7 = default;
            Vector128<float> u0 = default, u1 = default, u2 = default, u3 = default, u4 = default, u5 = default, u6 = default, u7 = default;
            byte* v = (byte*)(values + d);
            nint rowBytes = 2 * stride;
            // Two rows per pass (the loop's own instructions are a tenth of one row's).
            float* p = probabilities;
            for (float* end = probabilities + 8 * (rows & ~1); p < end; p += 16, v += 2 * rowBytes)
            {
                Row8(Vector128.Load((short*)v), mask, Vector128.Load(p), Vector128.Load(p + 4),
                    ref o0, ref o1, ref o2, ref o3, ref o4, ref o5, ref o6, ref o7, ref u0, ref u1, ref u2, ref u3, ref u4, ref u5, ref u6, ref u7);
                Row8(Vector128.Load((short*)(v + rowBytes)), mask, Vector128.Load(p + 8), Vector128.Load(p + 12),
                    ref o0, ref o1, ref o2, ref o3, ref o4, ref o5, ref o6, ref o7, ref u0, ref u1, ref u2, ref u3, ref u4, ref u5, ref u6, ref u7);
            }
            if ((rows & 1) != 0)
                Row8(Vector128.Load((short*)v), mask, Vector128.Load(p), Vector128.Load(p + 4),
                    ref o0, ref o1, ref o2, ref o3, ref o4, ref o5, ref o6, ref o7, ref u0, ref u1, ref u2, ref u3, ref u4, ref u5, ref u6, ref u7);
            float* o = outputs + d;
            o0.Store(o); u0.Store(o + 4); o1.Store(o + n); u1.Store(o + n + 4);
            o2.Store(o + 2 * n); u2.Store(o + 2 * n + 4); o3.Store(o + 3 * n); u3.Store(o + 3 * n + 4);
            o4.Store(o + 4 * n); u4.Store(o + 4 * n + 4); o5.Store(o + 5 * n); u5.Store(o + 5 * n + 4);
            o6.Store(o + 6 * n); u6.Store(o + 6 * n + 4); o7.Store(o + 7 * n); u7.Store(o + 7 * n + 4);
        }
    }

    /// <summary>Eight heads' outputs (o: elements 0-3, u: 4-7) += the eight halves h · each head's probability (pa: heads 0-3, pb: 4-7).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Row8(Vector128<short> h, Vector128<int> mask, Vector128<float> pa, Vector128<float> pb,
        ref Vector128<float> o0, ref Vector128<float> o1, ref Vector128<float> o2, ref Vector128<float> o3,
        ref Vector128<float> o4, ref Vector128<float> o5, ref Vector128<float> o6, ref Vector128<float> o7,
        ref Vector128<float> u0, ref Vector128<float> u1, ref Vector128<float> u2, ref Vector128<float> u3,
        ref Vector128<float> u4, ref Vector128<float> u5, ref Vector128<float> u6, ref Vector128<float> u7)
    {
        Vector128<float> lo = Neon.LowerHalvesScaledDown(h, mask), hi = Neon.UpperHalvesScaledDown(h, mask);
        o0 = Neon.MulAddByLane(o0, lo, pa, 0); u0 = Neon.MulAddByLane(u0, hi, pa, 0);
        o1 = Neon.MulAddByLane(o1, lo, pa, 1); u1 = Neon.MulAddByLane(u1, hi, pa, 1);
        o2 = Neon.MulAddByLane(o2, lo, pa, 2); u2 = Neon.MulAddByLane(u2, hi, pa, 2);
        o3 = Neon.MulAddByLane(o3, lo, pa, 3); u3 = Neon.MulAddByLane(u3, hi, pa, 3);
        o4 = Neon.MulAddByLane(o4, lo, pb, 0); u4 = Neon.MulAddByLane(u4, hi, pb, 0);
        o5 = Neon.MulAddByLane(o5, lo, pb, 1); u5 = Neon.MulAddByLane(u5, hi, pb, 1);
        o6 = Neon.MulAddByLane(o6, lo, pb, 2); u6 = Neon.MulAddByLane(u6, hi, pb, 2);
        o7 = Neon.MulAddByLane(o7, lo, pb, 3); u7 = Neon.MulAddByLane(u7, hi, pb, 3);
    }

    /// <summary>Four heads × sixteen elements (16 accumulators) over every row, then the next sixteen elements.</summary>
    private static void AccumulateValues4(ushort* values, nint stride, int rows, float* probabilities, int n, float* outputs)
    {
        Vector128<int> mask = Neon.HalfSignMask;
        for (int d = 0; d < n; d += 16)
        {
            Vector128<float> a0 = default, a1 = default, a2 = default, a3 = default, b0 = default, b1 = default, b2 = default, b3 = default;
            Vector128<float> c0 = default, c1 = default, c2 = default, c3 = default, e0 = default, e1 = default, e2 = default, e3 = default;
            ushort* v = values + d;
            for (float* p = probabilities, end = probabilities + 4 * rows; p < end; p += 4, v += stride)
            {
                Vector128<short> h = Vector128.Load((short*)v), h2 = Vector128.Load((short*)v + 8);
                Vector128<float> pr = Vector128.Load(p);
                Vector128<float> x = Neon.LowerHalvesScaledDown(h, mask);
                a0 = Neon.MulAddByLane(a0, x, pr, 0); b0 = Neon.MulAddByLane(b0, x, pr, 1); c0 = Neon.MulAddByLane(c0, x, pr, 2); e0 = Neon.MulAddByLane(e0, x, pr, 3);
                x = Neon.UpperHalvesScaledDown(h, mask);
                a1 = Neon.MulAddByLane(a1, x, pr, 0); b1 = Neon.MulAddByLane(b1, x, pr, 1); c1 = Neon.MulAddByLane(c1, x, pr, 2); e1 = Neon.MulAddByLane(e1, x, pr, 3);
                x = Neon.LowerHalvesScaledDown(h2, mask);
                a2 = Neon.MulAddByLane(a2, x, pr, 0); b2 = Neon.MulAddByLane(b2, x, pr, 1); c2 = Neon.MulAddByLane(c2, x, pr, 2); e2 = Neon.MulAddByLane(e2, x, pr, 3);
                x = Neon.UpperHalvesScaledDown(h2, mask);
                a3 = Neon.MulAddByLane(a3, x, pr, 0); b3 = Neon.MulAddByLane(b3, x, pr, 1); c3 = Neon.MulAddByLane(c3, x, pr, 2); e3 = Neon.MulAddByLane(e3, x, pr, 3);
            }
            float* o = outputs + d;
            a0.Store(o); a1.Store(o + 4); a2.Store(o + 8); a3.Store(o + 12);
            b0.Store(o + n); b1.Store(o + n + 4); b2.Store(o + n + 8); b3.Store(o + n + 12);
            c0.Store(o + 2 * n); c1.Store(o + 2 * n + 4); c2.Store(o + 2 * n + 8); c3.Store(o + 2 * n + 12);
            e0.Store(o + 3 * n); e1.Store(o + 3 * n + 4); e2.Store(o + 3 * n + 8); e3.Store(o + 3 * n + 12);
        }
    }
}
