using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
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
            Vector128<byte> low = Vector128.Create((byte)0x0F);
            for (int ib = 0; ib < nb; ib++)
            {
                byte* y = a + ib * AB;
                Vector128<sbyte> y0 = Vector128.Load((sbyte*)(y + BlockQ8_0.Qs)), y1 = Vector128.Load((sbyte*)(y + BlockQ8_0.Qs + 16));
                // The nibbles stay unsigned (0..15) and the −8 offset enters once per block for all four rows as −8·Σy, which
                // lets the widening path sum products in int16 (IArmIntDot.DotNibbles).
                Vector128<int> bias = Vector128.CreateScalar(-8 * SumOfBytes(y0, y1));
                byte* x = w0 + ib * WB;
                // The four rows' d_w·d_a as one vector: one conversion for four rows instead of four scalar ones.
                Vector128<short> halves = Vector128.Create(*(short*)x, *(short*)(x + rowBytes), *(short*)(x + 2 * rowBytes), *(short*)(x + 3 * rowBytes), 0, 0, 0, 0);
                Vector128<float> d = Fp16.ToSingleByShift(Vector128.WidenLower(halves)) * Vector128.Create(Fp16.ToSingleArithmetic(*(ushort*)y));
                acc0 = MulAddLane(acc0, Vector128.ConvertToSingle(Sum<T>(x, y0, y1, bias, low)), d, 0);
                acc1 = MulAddLane(acc1, Vector128.ConvertToSingle(Sum<T>(x + rowBytes, y0, y1, bias, low)), d, 1);
                acc2 = MulAddLane(acc2, Vector128.ConvertToSingle(Sum<T>(x + 2 * rowBytes, y0, y1, bias, low)), d, 2);
                acc3 = MulAddLane(acc3, Vector128.ConvertToSingle(Sum<T>(x + 3 * rowBytes, y0, y1, bias, low)), d, 3);
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

    /// <summary>One row's block against the activations: Σ q·y over its 32 unsigned nibbles, from <paramref name="bias"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> Sum<T>(byte* x, Vector128<sbyte> y0, Vector128<sbyte> y1, Vector128<int> bias, Vector128<byte> low) where T : struct, IArmIntDot
    {
        Vector128<byte> packed = Vector128.Load(x + BlockQ4_0.Qs);
        return T.DotNibbles(bias, (packed & low).AsSByte(), y0, (packed >>> 4).AsSByte(), y1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int SumOfBytes(Vector128<sbyte> a, Vector128<sbyte> b)
    {
        Vector128<short> s = Vector128.WidenLower(a) + Vector128.WidenUpper(a) + Vector128.WidenLower(b) + Vector128.WidenUpper(b);
        return AdvSimd.Arm64.IsSupported ? AdvSimd.Arm64.AddAcross(s).ToScalar() : Vector128.Sum(s);
    }

    /// <summary>acc + v·d[lane] (fmla by element on arm64), fused as the former per-row FMA with a broadcast scale.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> MulAddLane(Vector128<float> acc, Vector128<float> v, Vector128<float> d, [ConstantExpected(Max = 3)] byte lane) =>
        AdvSimd.Arm64.IsSupported ? AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(acc, v, d, lane) : Vector128.FusedMultiplyAdd(v, Vector128.Create(d.GetElement(lane)), acc);

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
