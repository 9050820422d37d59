using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using EdgeLlm.Core.Tensors.Arm;

namespace EdgeLlm.Core.Tensors.Generic;

/// <summary>
/// Attention over an F16 KV cache with 128-bit vectors (arm64), rows in lanes: each key or value row is converted to floats
/// once (per batch, or per block into a small scratch) and then used by every query of the group, where
/// <see cref="HalfRows128"/> converts it again for each head. Attention takes it for single heads (multi-head attention, or
/// a group split across workers); 2-8 heads go faster in lanes (<see cref="HalfRowsGroupLanes128"/>).
/// </summary>
/// <remarks>
/// The key dots are those of <see cref="HalfRows128"/>, bit for bit: four partial sums over 16-element steps, added as
/// <c>Vector128.Sum((s0 + s1) + (s2 + s3))</c> does. The value rows are added in order with a fused multiply-add (one fmla
/// by element per four outputs, where the per-head kernel's unfused multiply and add take two): within a rounding per row
/// of the per-head sums, as ggml's own fused dot over the positions is. The halves are converted without the multiply by
/// 2¹¹² (<see cref="Fp16.ToSingleScaledDown(Vector128{int})"/>): the caller passes queries and probabilities already
/// multiplied by 2¹¹², which is exact, so every product is the same real number. Head sizes must be multiples of 16 (every
/// model's are; others take <see cref="HalfRows128"/>).
/// </remarks>
internal static unsafe class HalfRowsGrouped128
{
    /// <summary>Rows of keys in one converted block (<see cref="ConvertKeys"/>): four dot products share each query load.</summary>
    public const int KeyRows = 4;

    /// <summary>Rows of values in one converted block (<see cref="ConvertValues"/>).</summary>
    public const int ValueRows = 16;

    /// <summary>Floats of scratch the per-call kernels need for head size <paramref name="n"/>: one block of values.</summary>
    public static int ScratchFloats(int n) => ValueRows * n;

    /// <summary>Floats that <paramref name="rows"/> converted rows of head size <paramref name="n"/> take, keys or values.</summary>
    public static long ConvertedFloats(int rows, int n) => (long)(rows + ValueRows - 1) / ValueRows * ValueRows * n;

    /// <summary>
    /// F16 rows (<paramref name="stride"/> halves apart) to floats scaled down by 2¹¹², in blocks of <see cref="KeyRows"/>:
    /// per 16 elements, the block's rows' 16 floats one after the other, so that one pointer walks four rows.
    /// </summary>
    public static void ConvertKeys(ushort* keys, nint stride, int rows, int n, float* to)
    {
        for (int r = 0; r < rows; r++)
            ConvertRow(keys + r * stride, n, to + r / KeyRows * KeyRows * n + 16 * (r % KeyRows), 16 * KeyRows);
    }

    /// <summary>F16 rows to floats scaled down by 2¹¹², in blocks of <see cref="ValueRows"/>: per 16 elements, the block's rows' 16 floats.</summary>
    public static void ConvertValues(ushort* values, nint stride, int rows, int n, float* to)
    {
        for (int r = 0; r < rows; r++)
            ConvertRow(values + r * stride, n, to + r / ValueRows * ValueRows * n + 16 * (r % ValueRows), 16 * ValueRows);
    }

    /// <summary>
    /// scores[g·scoreStride + r] = key row r · query g for g &lt; groups, from <see cref="ConvertKeys"/>' floats; the queries
    /// (<paramref name="queryStride"/> floats apart) rounded to F16 precision and multiplied by 2¹¹².
    /// </summary>
    public static void KeyDots(float* keys, int rows, float* queries, nint queryStride, int groups, int n, float* scores, nint scoreStride)
    {
        int r = 0;
        for (; r + KeyRows <= rows; r += KeyRows, keys += KeyRows * n)
            for (int g = 0; g < groups; g++)
                FourDots(keys, queries + g * queryStride, n, scores + g * scoreStride + r);
        for (int j = 0; r < rows; r++, j++)
            for (int g = 0; g < groups; g++)
                scores[g * scoreStride + r] = OneDot(keys + 16 * j, queries + g * queryStride, n);
    }

    /// <summary><see cref="KeyDots(float*, int, float*, nint, int, int, float*, nint)"/> straight from F16 rows, four at a time through a scratch.</summary>
    public static void KeyDots(ushort* keys, nint stride, int rows, float* queries, nint queryStride, int groups, int n,
        float* scores, nint scoreStride, float* scratch)
    {
        for (int r = 0; r < rows; r += KeyRows)
        {
            int count = Math.Min(KeyRows, rows - r);
            ConvertKeys(keys + r * stride, stride, count, n, scratch);
            KeyDots(scratch, count, queries, queryStride, groups, n, scores + r, scoreStride);
        }
    }

    /// <summary>
    /// outputs[g·outputStride + d] += p_g[r] · value row r [d] for every row in order and g &lt; groups, from
    /// <see cref="ConvertValues"/>' floats; the probabilities (<paramref name="probabilityStride"/> floats apart per query)
    /// rounded to F16 precision and multiplied by 2¹¹².
    /// </summary>
    public static void AccumulateValues(float* values, int rows, float* probabilities, nint probabilityStride, int groups,
        float* outputs, nint outputStride, int n)
    {
        for (int r0 = 0; r0 < rows; r0 += ValueRows, values += ValueRows * n)
        {
            int count = Math.Min(ValueRows, rows - r0);
            for (int g = 0; g < groups; g++)
            {
                float* p = probabilities + g * probabilityStride + r0;
                float* o = outputs + g * outputStride;
                for (int d = 0; d < n; d += 16)
                    AccumulateChunk(values + d * ValueRows, count, p, o + d);
            }
        }
    }

    /// <summary><see cref="AccumulateValues(float*, int, float*, nint, int, float*, nint, int)"/> straight from F16 rows, a block at a time through a scratch.</summary>
    public static void AccumulateValues(ushort* values, nint stride, int rows, float* probabilities, nint probabilityStride, int groups,
        float* outputs, nint outputStride, int n, float* scratch)
    {
        for (int r0 = 0; r0 < rows; r0 += ValueRows)
        {
            int count = Math.Min(ValueRows, rows - r0);
            ConvertValues(values + r0 * stride, stride, count, n, scratch);
            AccumulateValues(scratch, count, probabilities + r0, probabilityStride, groups, outputs, outputStride, n);
        }
    }

    /// <summary>A row of n halves to floats scaled down by 2¹¹², 16 at a time, each 16 at <paramref name="step"/> floats from the last.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ConvertRow(ushort* h, int n, float* to, nint step)
    {
        Vector128<int> mask = Neon.HalfSignMask;
        for (int i = 0; i < n; i += 16, h += 16, to += step)
        {
            Vector128<short> a = Vector128.Load((short*)h), b = Vector128.Load((short*)h + 8);
            Neon.LowerHalvesScaledDown(a, mask).Store(to);
            Neon.UpperHalvesScaledDown(a, mask).Store(to + 4);
            Neon.LowerHalvesScaledDown(b, mask).Store(to + 8);
            Neon.UpperHalvesScaledDown(b, mask).Store(to + 12);
        }
    }

    /// <summary>Four rows' dots with one query, from a converted key block; the first step multiplies (0 + a·b rounds as a·b).</summary>
    private static void FourDots(float* k, float* q, int n, float* results)
    {
        Vector128<float> q0 = Vector128.Load(q), q1 = Vector128.Load(q + 4), q2 = Vector128.Load(q + 8), q3 = Vector128.Load(q + 12);
        Vector128<float> a0 = Vector128.Load(k) * q0, a1 = Vector128.Load(k + 4) * q1, a2 = Vector128.Load(k + 8) * q2, a3 = Vector128.Load(k + 12) * q3;
        Vector128<float> b0 = Vector128.Load(k + 16) * q0, b1 = Vector128.Load(k + 20) * q1, b2 = Vector128.Load(k + 24) * q2, b3 = Vector128.Load(k + 28) * q3;
        Vector128<float> c0 = Vector128.Load(k + 32) * q0, c1 = Vector128.Load(k + 36) * q1, c2 = Vector128.Load(k + 40) * q2, c3 = Vector128.Load(k + 44) * q3;
        Vector128<float> d0 = Vector128.Load(k + 48) * q0, d1 = Vector128.Load(k + 52) * q1, d2 = Vector128.Load(k + 56) * q2, d3 = Vector128.Load(k + 60) * q3;
        for (float* end = q + n, qi = q + 16, ki = k + 64; qi < end; qi += 16, ki += 64)
        {
            q0 = Vector128.Load(qi); q1 = Vector128.Load(qi + 4); q2 = Vector128.Load(qi + 8); q3 = Vector128.Load(qi + 12);
            a0 = Neon.MulAdd(a0, Vector128.Load(ki), q0); a1 = Neon.MulAdd(a1, Vector128.Load(ki + 4), q1);
            a2 = Neon.MulAdd(a2, Vector128.Load(ki + 8), q2); a3 = Neon.MulAdd(a3, Vector128.Load(ki + 12), q3);
            b0 = Neon.MulAdd(b0, Vector128.Load(ki + 16), q0); b1 = Neon.MulAdd(b1, Vector128.Load(ki + 20), q1);
            b2 = Neon.MulAdd(b2, Vector128.Load(ki + 24), q2); b3 = Neon.MulAdd(b3, Vector128.Load(ki + 28), q3);
            c0 = Neon.MulAdd(c0, Vector128.Load(ki + 32), q0); c1 = Neon.MulAdd(c1, Vector128.Load(ki + 36), q1);
            c2 = Neon.MulAdd(c2, Vector128.Load(ki + 40), q2); c3 = Neon.MulAdd(c3, Vector128.Load(ki + 44), q3);
            d0 = Neon.MulAdd(d0, Vector128.Load(ki + 48), q0); d1 = Neon.MulAdd(d1, Vector128.Load(ki + 52), q1);
            d2 = Neon.MulAdd(d2, Vector128.Load(ki + 56), q2); d3 = Neon.MulAdd(d3, Vector128.Load(ki + 60), q3);
        }
        // Pairwise adds of the four rows' (s0 + s1) + (s2 + s3) give each row's Vector128.Sum in its lane, in one store.
        Neon.AddPairs(Neon.AddPairs((a0 + a1) + (a2 + a3), (b0 + b1) + (b2 + b3)), Neon.AddPairs((c0 + c1) + (c2 + c3), (d0 + d1) + (d2 + d3))).Store(results);
    }

    /// <summary>One row's dot with one query, from a converted key block (its 16-float steps 64 floats apart).</summary>
    private static float OneDot(float* k, float* q, int n)
    {
        Vector128<float> s0 = Vector128.Load(k) * Vector128.Load(q), s1 = Vector128.Load(k + 4) * Vector128.Load(q + 4);
        Vector128<float> s2 = Vector128.Load(k + 8) * Vector128.Load(q + 8), s3 = Vector128.Load(k + 12) * Vector128.Load(q + 12);
        for (int i = 16; i < n; i += 16)
        {
            k += 16 * KeyRows;
            s0 = Neon.MulAdd(s0, Vector128.Load(k), Vector128.Load(q + i));
            s1 = Neon.MulAdd(s1, Vector128.Load(k + 4), Vector128.Load(q + i + 4));
            s2 = Neon.MulAdd(s2, Vector128.Load(k + 8), Vector128.Load(q + i + 8));
            s3 = Neon.MulAdd(s3, Vector128.Load(k + 12), Vector128.Load(q + i + 12));
        }
        return Vector128.Sum((s0 + s1) + (s2 + s3));
    }

    /// <summary>16 outputs += p[j] · row j for <paramref name="count"/> rows of 16 floats in a row, four rows per probability load.</summary>
    private static void AccumulateChunk(float* v, int count, float* p, float* output)
    {
        Vector128<float> o0 = Vector128.Load(output), o1 = Vector128.Load(output + 4), o2 = Vector128.Load(output + 8), o3 = Vector128.Load(output + 12);
        // One pointer per stream and constant offsets, so that every load is an ldp with an immediate offset.
        for (float* end = v + 16 * (count & ~3); v < end; v += 64, p += 4)
        {
            Vector128<float> p4 = Vector128.Load(p);
            Row(v, 0, p4, 0, ref o0, ref o1, ref o2, ref o3);
            Row(v, 16, p4, 1, ref o0, ref o1, ref o2, ref o3);
            Row(v, 32, p4, 2, ref o0, ref o1, ref o2, ref o3);
            Row(v, 48, p4, 3, ref o0, ref o1, ref o2, ref o3);
        }
        for (int j = count & 3; j > 0; j--, v += 16, p++)
            Row(v, 0, Vector128.CreateScalarUnsafe(*p), 0, ref o0, ref o1, ref o2, ref o3);
        o0.Store(output); o1.Store(output + 4); o2.Store(output + 8); o3.Store(output + 12);
    }

    /// <summary>o += the 16 floats at v + offset · p[lane], fused (fmla by element).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Row(float* v, [System.Diagnostics.CodeAnalysis.ConstantExpected] int offset, Vector128<float> p,
        [System.Diagnostics.CodeAnalysis.ConstantExpected(Max = 3)] byte lane,
        ref Vector128<float> o0, ref Vector128<float> o1, ref Vector128<float> o2, ref Vector128<float> o3)
    {
        o0 = Neon.MulAddByLane(o0, Vector128.Load(v + offset), p, lane);
        o1 = Neon.MulAddByLane(o1, Vector128.Load(v + offset + 4), p, lane);
        o2 = Neon.MulAddByLane(o2, Vector128.Load(v + offset + 8), p, lane);
        o3 = Neon.MulAddByLane(o3, Vector128.Load(v + offset + 12), p, lane);
    }
}
