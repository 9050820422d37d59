using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace EdgeLlm.Core.Tensors.Generic;

/// <summary>
/// Attention over an F16 KV cache with 128-bit vectors (arm64): every key of a head against one query, and the values of a
/// head weighted by the probabilities, each in one call so that per-row work (the query's conversion, the output's loads
/// and stores) happens once per head instead of once per key.
/// </summary>
/// <remarks>
/// Halves become floats by a shift into a float's places and a multiply by 2¹¹² (<see cref="Fp16.ToSingleByShift(Vector128{int})"/>):
/// four instructions per four halves on NEON instead of the dozen of the fully general conversion. It is exact for every
/// finite half, subnormals included (a subnormal float operand costs a Cortex-A core nothing); an infinite or NaN half, which
/// only an overflowed K or V could hold, comes out finite. .NET exposes no FP16 vector arithmetic, so the A76's FEAT_FP16
/// cannot be used here; the products are float, as in ggml's non-FP16 paths.
/// </remarks>
internal static unsafe class HalfRows128
{
    /// <summary>results[r] = F16 row r (rows <paramref name="stride"/> halves apart) · the float query (already rounded to F16 precision).</summary>
    public static void KeyDots(ushort* keys, nint stride, int rows, float* query, int n, float* results)
    {
        for (int r = 0; r < rows; r++)
        {
            ushort* k = keys + r * stride;
            Vector128<float> s0 = default, s1 = default, s2 = default, s3 = default;
            int i = 0;
            for (; i + 16 <= n; i += 16)
            {
                Vector128<short> k0 = Vector128.Load((short*)k + i), k1 = Vector128.Load((short*)k + i + 8);
                s0 = Vector128.FusedMultiplyAdd(Lower(k0), Vector128.Load(query + i), s0);
                s1 = Vector128.FusedMultiplyAdd(Upper(k0), Vector128.Load(query + i + 4), s1);
                s2 = Vector128.FusedMultiplyAdd(Lower(k1), Vector128.Load(query + i + 8), s2);
                s3 = Vector128.FusedMultiplyAdd(Upper(k1), Vector128.Load(query + i + 12), s3);
            }
            for (; i + 8 <= n; i += 8)
            {
                Vector128<short> k0 = Vector128.Load((short*)k + i);
                s0 = Vector128.FusedMultiplyAdd(Lower(k0), Vector128.Load(query + i), s0);
                s1 = Vector128.FusedMultiplyAdd(Upper(k0), Vector128.Load(query + i + 4), s1);
            }
            float sum = Vector128.Sum((s0 + s1) + (s2 + s3));
            for (; i < n; i++) sum += Fp16.ToSingle(k[i]) * query[i];
            results[r] = sum;
        }
    }

    /// <summary>
    /// output[d] += p[r] · value row r [d] for rows r in order, a rounded product and a rounded sum per element (unfused, as
    /// <see cref="Model.AttentionJob"/>'s scalar form): the same bits as one row at a time. The probabilities must already be
    /// rounded to F16 precision. Sixteen outputs stay in registers across all rows.
    /// </summary>
    public static void AccumulateValues(ushort* values, nint stride, int rows, float* probabilities, float* output, int n)
    {
        int d = 0;
        for (; d + 16 <= n; d += 16)
        {
            Vector128<float> o0 = Vector128.Load(output + d), o1 = Vector128.Load(output + d + 4);
            Vector128<float> o2 = Vector128.Load(output + d + 8), o3 = Vector128.Load(output + d + 12);
            ushort* v = values + d;
            for (int r = 0; r < rows; r++, v += stride)
            {
                Vector128<float> p = Vector128.Create(probabilities[r]);
                Vector128<short> v0 = Vector128.Load((short*)v), v1 = Vector128.Load((short*)v + 8);
                o0 += p * Lower(v0);
                o1 += p * Upper(v0);
                o2 += p * Lower(v1);
                o3 += p * Upper(v1);
            }
            o0.Store(output + d); o1.Store(output + d + 4); o2.Store(output + d + 8); o3.Store(output + d + 12);
        }
        for (; d + 4 <= n; d += 4)
        {
            Vector128<float> o = Vector128.Load(output + d);
            ushort* v = values + d;
            for (int r = 0; r < rows; r++, v += stride)
                o += Vector128.Create(probabilities[r]) * Lower(Vector128.CreateScalar(*(ulong*)v).AsInt16());
            o.Store(output + d);
        }
        for (; d < n; d++)
        {
            float o = output[d];
            for (int r = 0; r < rows; r++) o += probabilities[r] * Fp16.ToSingle(values[r * stride + d]);
            output[d] = o;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Lower(Vector128<short> h) => Fp16.ToSingleByShift(Vector128.WidenLower(h));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Upper(Vector128<short> h) => Fp16.ToSingleByShift(Vector128.WidenUpper(h));
}
