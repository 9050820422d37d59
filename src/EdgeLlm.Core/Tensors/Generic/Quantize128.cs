using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using EdgeLlm.Core.Tensors.Formats;

namespace EdgeLlm.Core.Tensors.Generic;

/// <summary>
/// Activation quantizers with portable 128-bit vectors: arm64's path (x64 takes the AVX2 ones), bit-identical to the scalar
/// <see cref="BlockQ8_0"/>/<see cref="BlockQ8_K"/> ones: the same max, the same float products, round half to even, the same
/// truncating narrowing. Written with <see cref="Vector128"/> operators so the tests run them on x64 too; the few steps
/// NEON does in one instruction (fcvtns, fmaxv, saddlv) use <see cref="AdvSimd"/> where it exists.
/// </summary>
internal static unsafe class Quantize128
{
    public static bool IsSupported => Vector128.IsHardwareAccelerated;

    public static void Q8_0(ReadOnlySpan<float> src, Span<byte> dst)
    {
        int nb = src.Length / 32;
        fixed (float* x0 = src)
        fixed (byte* y0 = dst)
        {
            for (int i = 0; i < nb; i++)
            {
                float* x = x0 + 32 * i;
                byte* y = y0 + i * BlockQ8_0.Bytes;
                Vector128<float> v0 = Vector128.Load(x), v1 = Vector128.Load(x + 4), v2 = Vector128.Load(x + 8), v3 = Vector128.Load(x + 12);
                Vector128<float> v4 = Vector128.Load(x + 16), v5 = Vector128.Load(x + 20), v6 = Vector128.Load(x + 24), v7 = Vector128.Load(x + 28);
                Vector128<float> m = Vector128.Max(
                    Vector128.Max(Vector128.Max(Vector128.Abs(v0), Vector128.Abs(v1)), Vector128.Max(Vector128.Abs(v2), Vector128.Abs(v3))),
                    Vector128.Max(Vector128.Max(Vector128.Abs(v4), Vector128.Abs(v5)), Vector128.Max(Vector128.Abs(v6), Vector128.Abs(v7))));
                float d = MaxAcross(m) / 127;
                float id = d != 0 ? 1.0f / d : 0.0f;
                *(ushort*)y = Fp16.FromSingle(d);
                Vector128<float> s = Vector128.Create(id);
                sbyte* q = (sbyte*)(y + BlockQ8_0.Qs);
                Narrow(Round(v0 * s), Round(v1 * s), Round(v2 * s), Round(v3 * s)).Store(q);
                Narrow(Round(v4 * s), Round(v5 * s), Round(v6 * s), Round(v7 * s)).Store(q + 16);
            }
        }
    }

    public static void Q8_K(ReadOnlySpan<float> src, Span<byte> dst)
    {
        int nb = src.Length / 256;
        fixed (float* x0 = src)
        fixed (byte* y0 = dst)
        {
            for (int i = 0; i < nb; i++)
            {
                float* x = x0 + 256 * i;
                byte* y = y0 + i * BlockQ8_K.Bytes;
                Vector128<float> m0 = default, m1 = default;
                for (int j = 0; j < 256; j += 8)
                {
                    m0 = Vector128.Max(m0, Vector128.Abs(Vector128.Load(x + j)));
                    m1 = Vector128.Max(m1, Vector128.Abs(Vector128.Load(x + j + 4)));
                }
                float amax = MaxAcross(Vector128.Max(m0, m1));
                if (amax == 0)
                {
                    new Span<byte>(y, BlockQ8_K.Bytes).Clear();
                    continue;
                }
                // The scalar definition takes the first element of largest magnitude: its sign decides the scale's sign.
                int first = 0;
                Vector128<float> target = Vector128.Create(amax);
                for (int j = 0; j < 256; j += 4)
                {
                    uint hits = Vector128.Equals(Vector128.Abs(Vector128.Load(x + j)), target).ExtractMostSignificantBits();
                    if (hits != 0) { first = j + System.Numerics.BitOperations.TrailingZeroCount(hits); break; }
                }
                float iscale = -127.0f / x[first];
                Vector128<float> s = Vector128.Create(iscale);
                Vector128<int> top = Vector128.Create(127);
                short* sums = (short*)(y + BlockQ8_K.BSums);
                for (int j = 0; j < 256; j += 16)
                {
                    // min(127, v) as the scalar code; |iscale·x| ≤ 127 up to one rounding, so nothing falls below −128.
                    Vector128<int> q0 = Vector128.Min(Round(Vector128.Load(x + j) * s), top), q1 = Vector128.Min(Round(Vector128.Load(x + j + 4) * s), top);
                    Vector128<int> q2 = Vector128.Min(Round(Vector128.Load(x + j + 8) * s), top), q3 = Vector128.Min(Round(Vector128.Load(x + j + 12) * s), top);
                    Narrow(q0, q1, q2, q3).Store((sbyte*)(y + BlockQ8_K.Qs + j));
                    sums[j / 16] = (short)Sum((q0 + q1) + (q2 + q3));
                }
                *(float*)y = 1 / iscale;
            }
        }
    }

    /// <summary>Round half to even, then to int: one fcvtns on arm64.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> Round(Vector128<float> v) =>
        AdvSimd.IsSupported ? AdvSimd.ConvertToInt32RoundToEven(v) : Vector128.ConvertToInt32(Vector128.Round(v));

    /// <summary>16 ints → 16 bytes in order, truncating like the scalar (sbyte) cast (values are in range).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<sbyte> Narrow(Vector128<int> a, Vector128<int> b, Vector128<int> c, Vector128<int> d) =>
        Vector128.Narrow(Vector128.Narrow(a, b), Vector128.Narrow(c, d));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float MaxAcross(Vector128<float> v)
    {
        if (AdvSimd.Arm64.IsSupported) return AdvSimd.Arm64.MaxAcross(v).ToScalar();
        return MathF.Max(MathF.Max(v.GetElement(0), v.GetElement(1)), MathF.Max(v.GetElement(2), v.GetElement(3)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Sum(Vector128<int> v) => AdvSimd.Arm64.IsSupported ? AdvSimd.Arm64.AddAcross(v).ToScalar() : Vector128.Sum(v);
}
