using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using EdgeLlm.Core.Tensors.Formats;

namespace EdgeLlm.Core.Tensors.Arm;

/// <summary>Q4_0 × Q8_0 on arm64 (SDOT or widening NEON), four weight rows per pass over each activation block.</summary>
internal static unsafe class Q4_0Arm
{
    private const int WB = BlockQ4_0.Bytes, AB = BlockQ8_0.Bytes;

    public static void Rows<T>(byte* w, nint rowBytes, int rows, byte* a, int n, float* results) where T : struct, IArmIntDot
    {
        int nb = n / 32, r = 0;
        for (; r + 4 <= rows; r += 4)
        {
            byte* w0 = w + r * rowBytes;
            Vector128<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
            for (int ib = 0; ib < nb; ib++)
            {
                byte* y = a + ib * AB;
                Vector128<sbyte> y0 = Vector128.Load((sbyte*)(y + BlockQ8_0.Qs)), y1 = Vector128.Load((sbyte*)(y + BlockQ8_0.Qs + 16));
                float dy = Fp16.ToSingleArithmetic(*(ushort*)y);
                byte* x = w0 + ib * WB;
                Block<T>(ref acc0, x, y0, y1, dy);
                Block<T>(ref acc1, x + rowBytes, y0, y1, dy);
                Block<T>(ref acc2, x + 2 * rowBytes, y0, y1, dy);
                Block<T>(ref acc3, x + 3 * rowBytes, y0, y1, dy);
            }
            results[r] = Vector128.Sum(acc0);
            results[r + 1] = Vector128.Sum(acc1);
            results[r + 2] = Vector128.Sum(acc2);
            results[r + 3] = Vector128.Sum(acc3);
        }
        for (; r < rows; r++)
        {
            byte* w0 = w + r * rowBytes;
            Vector128<float> acc = default;
            for (int ib = 0; ib < nb; ib++)
            {
                byte* y = a + ib * AB;
                Block<T>(ref acc, w0 + ib * WB, Vector128.Load((sbyte*)(y + BlockQ8_0.Qs)), Vector128.Load((sbyte*)(y + BlockQ8_0.Qs + 16)),
                    Fp16.ToSingleArithmetic(*(ushort*)y));
            }
            results[r] = Vector128.Sum(acc);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block<T>(ref Vector128<float> acc, byte* x, Vector128<sbyte> y0, Vector128<sbyte> y1, float dy) where T : struct, IArmIntDot
    {
        Vector128<byte> packed = Vector128.Load(x + BlockQ4_0.Qs);
        Vector128<sbyte> eight = Vector128.Create((sbyte)8);
        Vector128<sbyte> lo = (packed & Vector128.Create((byte)0x0F)).AsSByte() - eight;
        Vector128<sbyte> hi = (packed >>> 4).AsSByte() - eight;
        Vector128<int> sum = T.Dot(T.Dot(default, lo, y0), hi, y1);
        float d = Fp16.ToSingleArithmetic(*(ushort*)x) * dy;
        acc = Vector128.FusedMultiplyAdd(Vector128.ConvertToSingle(sum), Vector128.Create(d), acc);
    }
}
