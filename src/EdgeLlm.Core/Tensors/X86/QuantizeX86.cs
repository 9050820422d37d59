using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using EdgeLlm.Core.Tensors.Formats;

namespace EdgeLlm.Core.Tensors.X86;

/// <summary>AVX2 activation quantizers; bit-identical to the scalar <see cref="BlockQ8_0"/>/<see cref="BlockQ8_K"/> ones (same max, same products, same rounding).</summary>
internal static unsafe class QuantizeX86
{
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
                Vector256<float> v0 = Vector256.Load(x), v1 = Vector256.Load(x + 8), v2 = Vector256.Load(x + 16), v3 = Vector256.Load(x + 24);
                float amax = Vector256.Max(Vector256.Max(Vector256.Abs(v0), Vector256.Abs(v1)), Vector256.Max(Vector256.Abs(v2), Vector256.Abs(v3))).HorizontalMax();
                float d = amax / 127;
                float id = d != 0 ? 1.0f / d : 0.0f;
                *(ushort*)y = Fp16.FromSingle(d);
                Vector256<float> m = Vector256.Create(id);
                Pack(Quant(v0 * m), Quant(v1 * m), Quant(v2 * m), Quant(v3 * m)).Store((sbyte*)(y + BlockQ8_0.Qs));
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
                Vector256<float> vmax = default;
                for (int j = 0; j < 256; j += 8) vmax = Vector256.Max(vmax, Vector256.Abs(Vector256.Load(x + j)));
                float amax = vmax.HorizontalMax();
                if (amax == 0)
                {
                    new Span<byte>(y, BlockQ8_K.Bytes).Clear();
                    continue;
                }
                // The scalar definition takes the first element of largest magnitude (its sign decides the scale's sign).
                int first = 0;
                Vector256<float> target = Vector256.Create(amax);
                for (int j = 0; j < 256; j += 8)
                {
                    uint hits = Vector256.Equals(Vector256.Abs(Vector256.Load(x + j)), target).ExtractMostSignificantBits();
                    if (hits != 0) { first = j + System.Numerics.BitOperations.TrailingZeroCount(hits); break; }
                }
                float iscale = -127.0f / x[first];
                Vector256<float> m = Vector256.Create(iscale);
                for (int j = 0; j < 256; j += 32)
                {
                    Vector256<int> q0 = Quant(Vector256.Load(x + j) * m), q1 = Quant(Vector256.Load(x + j + 8) * m);
                    Vector256<int> q2 = Quant(Vector256.Load(x + j + 16) * m), q3 = Quant(Vector256.Load(x + j + 24) * m);
                    // |iscale·x| ≤ 127 (up to one rounding), so packing's saturation never engages and equals the scalar min(127, v).
                    Pack(q0, q1, q2, q3).Store((sbyte*)(y + BlockQ8_K.Qs + j));
                    short* sums = (short*)(y + BlockQ8_K.BSums) + j / 16;
                    sums[0] = (short)Vector256.Sum(q0 + q1);
                    sums[1] = (short)Vector256.Sum(q2 + q3);
                }
                *(float*)y = 1 / iscale;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Quant(Vector256<float> v) => Avx.ConvertToVector256Int32(Avx.RoundToNearestInteger(v));

    /// <summary>32 ints → 32 saturated bytes in order (the packs work per 128-bit lane, the permute restores element order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<sbyte> Pack(Vector256<int> a, Vector256<int> b, Vector256<int> c, Vector256<int> d)
    {
        Vector256<sbyte> bytes = Avx2.PackSignedSaturate(Avx2.PackSignedSaturate(a, b), Avx2.PackSignedSaturate(c, d));
        return Avx2.PermuteVar8x32(bytes.AsInt32(), Vector256.Create(0, 4, 1, 5, 2, 6, 3, 7)).AsSByte();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float HorizontalMax(this Vector256<float> v)
    {
        Vector128<float> m = Vector128.Max(v.GetLower(), v.GetUpper());
        m = Vector128.Max(m, Sse.MoveHighToLow(m, m));
        m = Vector128.Max(m, Sse.Shuffle(m, m, 0b01));
        return m.ToScalar();
    }
}
