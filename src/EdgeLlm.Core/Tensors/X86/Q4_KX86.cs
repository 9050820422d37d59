using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using EdgeLlm.Core.Tensors.Formats;

namespace EdgeLlm.Core.Tensors.X86;

/// <summary>Q4_K × Q8_K on x64 (AVX2 or AVX-VNNI), four weight rows per pass over each activation block.</summary>
/// <remarks>
/// Per 32-weight group: u8 nibbles × s8 activations → int16 pairs (≤ 2·15·127, no saturation), then × the group's 6-bit scale
/// into int32. The mins need only the activation block's 16 group sums, which are paired once per block for all rows.
/// </remarks>
internal static unsafe class Q4_KX86
{
    private const int WB = BlockQ4_K.Bytes, AB = BlockQ8_K.Bytes;

    /// <summary>One activation block, loaded once and shared by the rows.</summary>
    private struct Act
    {
        public Vector256<sbyte> Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7;
        public float D;
        public Vector256<int> GroupSums; // Σ of activations in each 32-weight group (bsums paired)
    }

    public static void Rows<T>(byte* w, nint rowBytes, int rows, byte* a, int n, float* results) where T : struct, IX86IntDot
    {
        int nb = n / 256, r = 0;
        Act act;
        for (; r + 4 <= rows; r += 4)
        {
            byte* w0 = w + r * rowBytes;
            Vector256<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
            float min0 = 0, min1 = 0, min2 = 0, min3 = 0;
            for (int ib = 0; ib < nb; ib++)
            {
                Load(a + ib * AB, out act);
                byte* x = w0 + ib * WB;
                Block<T>(ref acc0, ref min0, x, in act);
                Block<T>(ref acc1, ref min1, x + rowBytes, in act);
                Block<T>(ref acc2, ref min2, x + 2 * rowBytes, in act);
                Block<T>(ref acc3, ref min3, x + 3 * rowBytes, in act);
            }
            results[r] = Vector256.Sum(acc0) - min0;
            results[r + 1] = Vector256.Sum(acc1) - min1;
            results[r + 2] = Vector256.Sum(acc2) - min2;
            results[r + 3] = Vector256.Sum(acc3) - min3;
        }
        for (; r < rows; r++)
        {
            byte* w0 = w + r * rowBytes;
            Vector256<float> acc = default;
            float min = 0;
            for (int ib = 0; ib < nb; ib++)
            {
                Load(a + ib * AB, out act);
                Block<T>(ref acc, ref min, w0 + ib * WB, in act);
            }
            results[r] = Vector256.Sum(acc) - min;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Load(byte* y, out Act act)
    {
        sbyte* q = (sbyte*)(y + BlockQ8_K.Qs);
        act.Y0 = Vector256.Load(q); act.Y1 = Vector256.Load(q + 32);
        act.Y2 = Vector256.Load(q + 64); act.Y3 = Vector256.Load(q + 96);
        act.Y4 = Vector256.Load(q + 128); act.Y5 = Vector256.Load(q + 160);
        act.Y6 = Vector256.Load(q + 192); act.Y7 = Vector256.Load(q + 224);
        act.D = *(float*)y;
        // 16 int16 bsums → 8 int32 sums of adjacent pairs.
        act.GroupSums = Avx2.MultiplyAddAdjacent(Vector256.Load((short*)(y + BlockQ8_K.BSums)), Vector256.Create((short)1));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block<T>(ref Vector256<float> acc, ref float minAcc, byte* x, in Act act) where T : struct, IX86IntDot
    {
        var (scales, mins) = BlockQ4_K.UnpackWords(*(uint*)(x + BlockQ4_K.Scales), *(uint*)(x + BlockQ4_K.Scales + 4), *(uint*)(x + BlockQ4_K.Scales + 8));
        byte* qs = x + BlockQ4_K.Qs;
        Vector256<byte> mask = Vector256.Create((byte)0x0F);
        Vector256<int> sum = default;
        sum = Chunk<T>(sum, Vector256.Load(qs), act.Y0, act.Y1, scales, 0, mask);
        sum = Chunk<T>(sum, Vector256.Load(qs + 32), act.Y2, act.Y3, scales, 2, mask);
        sum = Chunk<T>(sum, Vector256.Load(qs + 64), act.Y4, act.Y5, scales, 4, mask);
        sum = Chunk<T>(sum, Vector256.Load(qs + 96), act.Y6, act.Y7, scales, 6, mask);

        float dy = act.D;
        float d = Fp16.ToSingleArithmetic(*(ushort*)x) * dy;
        acc = Fma.MultiplyAdd(Avx.ConvertToVector256Single(sum), Vector256.Create(d), acc);

        Vector256<int> m = Avx2.ConvertToVector256Int32(Vector128.CreateScalarUnsafe(mins).AsByte());
        int minSum = Vector256.Sum(act.GroupSums * m);
        minAcc += Fp16.ToSingleArithmetic(*(ushort*)(x + BlockQ4_K.DMin)) * dy * minSum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Chunk<T>(Vector256<int> sum, Vector256<byte> q, Vector256<sbyte> yLow, Vector256<sbyte> yHigh,
        ulong scales, int group, Vector256<byte> mask) where T : struct, IX86IntDot
    {
        Vector256<byte> lo = q & mask;
        Vector256<byte> hi = Avx2.ShiftRightLogical(q.AsUInt16(), 4).AsByte() & mask;
        Vector256<short> pLo = Avx2.MultiplyAddAdjacent(lo, yLow);
        Vector256<short> pHi = Avx2.MultiplyAddAdjacent(hi, yHigh);
        sum = T.MaddI16(sum, pLo, Vector256.Create((short)(byte)(scales >> (8 * group))));
        return T.MaddI16(sum, pHi, Vector256.Create((short)(byte)(scales >> (8 * group + 8))));
    }
}
