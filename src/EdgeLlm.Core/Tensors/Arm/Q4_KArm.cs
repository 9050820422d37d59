using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using EdgeLlm.Core.Tensors.Formats;

namespace EdgeLlm.Core.Tensors.Arm;

/// <summary>Q4_K × Q8_K on arm64 (SDOT or widening NEON), four weight rows per pass over each activation block.</summary>
/// <remarks>Nibbles (0..15) fit signed bytes as they are; each 32-weight group's int sum is scaled by its 6-bit scale in int32.</remarks>
internal static unsafe class Q4_KArm
{
    private const int WB = BlockQ4_K.Bytes, AB = BlockQ8_K.Bytes;

    public static void Rows<T>(byte* w, nint rowBytes, int rows, byte* a, int n, float* results) where T : struct, IArmIntDot
    {
        int nb = n / 256, r = 0;
        for (; r + 4 <= rows; r += 4)
        {
            byte* w0 = w + r * rowBytes;
            Vector128<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
            float min0 = 0, min1 = 0, min2 = 0, min3 = 0;
            for (int ib = 0; ib < nb; ib++)
            {
                byte* y = a + ib * AB;
                GroupSums(y, out Vector128<int> gs0, out Vector128<int> gs1);
                byte* x = w0 + ib * WB;
                Block<T>(ref acc0, ref min0, x, y, gs0, gs1);
                Block<T>(ref acc1, ref min1, x + rowBytes, y, gs0, gs1);
                Block<T>(ref acc2, ref min2, x + 2 * rowBytes, y, gs0, gs1);
                Block<T>(ref acc3, ref min3, x + 3 * rowBytes, y, gs0, gs1);
            }
            results[r] = Vector128.Sum(acc0) - min0;
            results[r + 1] = Vector128.Sum(acc1) - min1;
            results[r + 2] = Vector128.Sum(acc2) - min2;
            results[r + 3] = Vector128.Sum(acc3) - min3;
        }
        for (; r < rows; r++)
        {
            byte* w0 = w + r * rowBytes;
            Vector128<float> acc = default;
            float min = 0;
            for (int ib = 0; ib < nb; ib++)
            {
                byte* y = a + ib * AB;
                GroupSums(y, out Vector128<int> gs0, out Vector128<int> gs1);
                Block<T>(ref acc, ref min, w0 + ib * WB, y, gs0, gs1);
            }
            results[r] = Vector128.Sum(acc) - min;
        }
    }

    /// <summary>The activation sum of each 32-weight group (adjacent bsums added), groups 0..3 and 4..7.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void GroupSums(byte* y, out Vector128<int> g0, out Vector128<int> g1)
    {
        // Each int lane of the loaded int16 pairs is (bsum 2g) | (bsum 2g+1) << 16; sign-extend both halves and add.
        Vector128<int> p0 = Vector128.Load((int*)(y + BlockQ8_K.BSums)), p1 = Vector128.Load((int*)(y + BlockQ8_K.BSums + 16));
        g0 = ((p0 << 16) >> 16) + (p0 >> 16);
        g1 = ((p1 << 16) >> 16) + (p1 >> 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block<T>(ref Vector128<float> acc, ref float minAcc, byte* x, byte* y, Vector128<int> gs0, Vector128<int> gs1)
        where T : struct, IArmIntDot
    {
        var (scales, mins) = BlockQ4_K.UnpackWords(*(uint*)(x + BlockQ4_K.Scales), *(uint*)(x + BlockQ4_K.Scales + 4), *(uint*)(x + BlockQ4_K.Scales + 8));
        byte* qs = x + BlockQ4_K.Qs;
        sbyte* q8 = (sbyte*)(y + BlockQ8_K.Qs);
        Vector128<int> sum = default;
        for (int c = 0; c < 4; c++)
        {
            Vector128<byte> qa = Vector128.Load(qs + 32 * c), qb = Vector128.Load(qs + 32 * c + 16);
            Vector128<byte> mask = Vector128.Create((byte)0x0F);
            // Nibbles: the widening path sums their products in int16 first (IArmIntDot.DotNibbles).
            Vector128<int> lo = T.DotNibbles(default, (qa & mask).AsSByte(), Vector128.Load(q8 + 64 * c), (qb & mask).AsSByte(), Vector128.Load(q8 + 64 * c + 16));
            Vector128<int> hi = T.DotNibbles(default, (qa >>> 4).AsSByte(), Vector128.Load(q8 + 64 * c + 32), (qb >>> 4).AsSByte(), Vector128.Load(q8 + 64 * c + 48));
            sum += lo * (int)(byte)(scales >> (16 * c)) + hi * (int)(byte)(scales >> (16 * c + 8));
        }
        float dy = *(float*)y;
        float d = Fp16.ToSingleArithmetic(*(ushort*)x) * dy;
        acc = Vector128.FusedMultiplyAdd(Vector128.ConvertToSingle(sum), Vector128.Create(d), acc);

        Vector128<ushort> m16 = Vector128.WidenLower(Vector128.CreateScalarUnsafe(mins).AsByte());
        int minSum = Vector128.Sum(gs0 * Vector128.WidenLower(m16).AsInt32() + gs1 * Vector128.WidenUpper(m16).AsInt32());
        minAcc += Fp16.ToSingleArithmetic(*(ushort*)(x + BlockQ4_K.DMin)) * dy * minSum;
    }
}
