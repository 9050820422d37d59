using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using EdgeLlm.Core.Tensors.Formats;

namespace EdgeLlm.Core.Tensors.X86;

/// <summary>Q8_0 × Q8_0 on x64 with the sign trick: |x| (unsigned) times y carrying x's sign, so u8·s8 instructions apply.</summary>
/// <remarks>
/// Exact as long as weights and activations stay in −127..127 (what ggml's quantizers produce): a −128 activation cannot
/// take a flipped sign, and pairs of 128·127 still fit int16.
/// </remarks>
internal static unsafe class Q8_0X86
{
    private const int B = BlockQ8_0.Bytes;

    public static void Rows<T>(byte* w, nint rowBytes, int rows, byte* a, int n, float* results) where T : struct, IX86IntDot
    {
        int nb = n / 32, r = 0;
        for (; r + 4 <= rows; r += 4)
        {
            byte* w0 = w + r * rowBytes;
            Vector256<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
            for (int ib = 0; ib < nb; ib++)
            {
                byte* y = a + ib * B;
                Vector256<sbyte> qy = Vector256.Load((sbyte*)(y + BlockQ8_0.Qs));
                float dy = Fp16.ToSingleArithmetic(*(ushort*)y);
                byte* x = w0 + ib * B;
                Block<T>(ref acc0, x, qy, dy);
                Block<T>(ref acc1, x + rowBytes, qy, dy);
                Block<T>(ref acc2, x + 2 * rowBytes, qy, dy);
                Block<T>(ref acc3, x + 3 * rowBytes, qy, dy);
            }
            results[r] = Vector256.Sum(acc0);
            results[r + 1] = Vector256.Sum(acc1);
            results[r + 2] = Vector256.Sum(acc2);
            results[r + 3] = Vector256.Sum(acc3);
        }
        for (; r < rows; r++)
        {
            byte* w0 = w + r * rowBytes;
            Vector256<float> acc = default;
            for (int ib = 0; ib < nb; ib++)
            {
                byte* y = a + ib * B;
                Block<T>(ref acc, w0 + ib * B, Vector256.Load((sbyte*)(y + BlockQ8_0.Qs)), Fp16.ToSingleArithmetic(*(ushort*)y));
            }
            results[r] = Vector256.Sum(acc);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block<T>(ref Vector256<float> acc, byte* x, Vector256<sbyte> qy, float dy) where T : struct, IX86IntDot
    {
        Vector256<sbyte> qx = Vector256.Load((sbyte*)(x + BlockQ8_0.Qs));
        Vector256<int> sum = T.DotU8I8(default, Avx2.Abs(qx), Avx2.Sign(qy, qx));
        float d = Fp16.ToSingleArithmetic(*(ushort*)x) * dy;
        acc = Fma.MultiplyAdd(Avx.ConvertToVector256Single(sum), Vector256.Create(d), acc);
    }

    /// <summary>AVX-512BW: two blocks per register. There is no 512-bit vpsignb, so y's sign flip is (y ^ m) − m with m = (x &lt; 0).</summary>
    public static void Rows512(byte* w, nint rowBytes, int rows, byte* a, int n, float* results)
    {
        int nb = n / 32;
        for (int r = 0; r < rows; r++)
        {
            byte* w0 = w + r * rowBytes;
            Vector512<float> acc = default;
            int ib = 0;
            for (; ib + 2 <= nb; ib += 2)
            {
                byte* y = a + ib * B;
                byte* x = w0 + ib * B;
                Vector512<sbyte> qy = Vector512.Create(Vector256.Load((sbyte*)(y + BlockQ8_0.Qs)), Vector256.Load((sbyte*)(y + B + BlockQ8_0.Qs)));
                Vector512<sbyte> qx = Vector512.Create(Vector256.Load((sbyte*)(x + BlockQ8_0.Qs)), Vector256.Load((sbyte*)(x + B + BlockQ8_0.Qs)));
                Vector512<sbyte> neg = Vector512.LessThan(qx, Vector512<sbyte>.Zero);
                Vector512<sbyte> sy = (qy ^ neg) - neg;
                Vector512<short> p16 = Avx512BW.MultiplyAddAdjacent(Avx512BW.Abs(qx), sy);
                Vector512<int> sum = Avx512BW.MultiplyAddAdjacent(p16, Vector512.Create((short)1));
                Vector512<float> d = Vector512.Create(
                    Vector256.Create(Fp16.ToSingleArithmetic(*(ushort*)x) * Fp16.ToSingleArithmetic(*(ushort*)y)),
                    Vector256.Create(Fp16.ToSingleArithmetic(*(ushort*)(x + B)) * Fp16.ToSingleArithmetic(*(ushort*)(y + B))));
                acc = Avx512F.FusedMultiplyAdd(Avx512F.ConvertToVector512Single(sum), d, acc);
            }
            float total = Vector512.Sum(acc);
            if (ib < nb)
            {
                byte* y = a + ib * B;
                Vector256<float> tail = default;
                Block<Avx2IntDot>(ref tail, w0 + ib * B, Vector256.Load((sbyte*)(y + BlockQ8_0.Qs)), Fp16.ToSingleArithmetic(*(ushort*)y));
                total += Vector256.Sum(tail);
            }
            results[r] = total;
        }
    }
}
