using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using EdgeLlm.Core.Tensors.Formats;

namespace EdgeLlm.Core.Tensors.Arm;

/// <summary>Q6_K × Q8_K on arm64 (SDOT or widening NEON), four weight rows per pass over each activation block.</summary>
/// <remarks>Each 16-byte vector is exactly one 16-weight group, so its int sum takes that group's signed scale directly.</remarks>
internal static unsafe class Q6_KArm
{
    private const int WB = BlockQ6_K.Bytes, AB = BlockQ8_K.Bytes;

    public static void Rows<T>(byte* w, nint rowBytes, int rows, byte* a, int n, float* results) where T : struct, IArmIntDot
    {
        int nb = n / 256, r = 0;
        for (; r + 4 <= rows; r += 4)
        {
            byte* w0 = w + r * rowBytes;
            Vector128<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
            for (int ib = 0; ib < nb; ib++)
            {
                byte* y = a + ib * AB;
                byte* x = w0 + ib * WB;
                Block<T>(ref acc0, x, y);
                Block<T>(ref acc1, x + rowBytes, y);
                Block<T>(ref acc2, x + 2 * rowBytes, y);
                Block<T>(ref acc3, x + 3 * rowBytes, y);
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
            for (int ib = 0; ib < nb; ib++) Block<T>(ref acc, w0 + ib * WB, a + ib * AB);
            results[r] = Vector128.Sum(acc);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block<T>(ref Vector128<float> acc, byte* x, byte* y) where T : struct, IArmIntDot
    {
        sbyte* sc = (sbyte*)(x + BlockQ6_K.Scales);
        sbyte* q8 = (sbyte*)(y + BlockQ8_K.Qs);
        Vector128<int> sum = default;
        for (int h = 0; h < 2; h++)
        {
            byte* ql = x + BlockQ6_K.Ql + 64 * h;
            byte* qh = x + BlockQ6_K.Qh + 32 * h;
            Vector128<byte> l0 = Vector128.Load(ql), l1 = Vector128.Load(ql + 16), l2 = Vector128.Load(ql + 32), l3 = Vector128.Load(ql + 48);
            Vector128<byte> h0 = Vector128.Load(qh), h1 = Vector128.Load(qh + 16);
            Vector128<byte> low = Vector128.Create((byte)0x0F), top = Vector128.Create((byte)0x30);
            sbyte* yv = q8 + 128 * h;
            sbyte* s = sc + 8 * h;
            // Weights 128h + 16k .. +15 for k = 0..7: low nibbles of l0..l3, then high nibbles, each with two bits of h0/h1.
            sum = Group(sum, (l0 & low) | ((h0 << 4) & top), yv, s[0]);
            sum = Group(sum, (l1 & low) | ((h1 << 4) & top), yv + 16, s[1]);
            sum = Group(sum, (l2 & low) | ((h0 << 2) & top), yv + 32, s[2]);
            sum = Group(sum, (l3 & low) | ((h1 << 2) & top), yv + 48, s[3]);
            sum = Group(sum, (l0 >>> 4) | (h0 & top), yv + 64, s[4]);
            sum = Group(sum, (l1 >>> 4) | (h1 & top), yv + 80, s[5]);
            sum = Group(sum, (l2 >>> 4) | ((h0 >>> 2) & top), yv + 96, s[6]);
            sum = Group(sum, (l3 >>> 4) | ((h1 >>> 2) & top), yv + 112, s[7]);
        }
        float d = Fp16.ToSingleArithmetic(*(ushort*)(x + BlockQ6_K.D)) * *(float*)y;
        acc = Vector128.FusedMultiplyAdd(Vector128.ConvertToSingle(sum), Vector128.Create(d), acc);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector128<int> Group(Vector128<int> sum, Vector128<byte> q, sbyte* y, sbyte scale) =>
            sum + T.Dot(default, q.AsSByte() - Vector128.Create((sbyte)32), Vector128.Load(y)) * (int)scale;
    }
}
