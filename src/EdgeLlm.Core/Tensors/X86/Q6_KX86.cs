using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using EdgeLlm.Core.Tensors.Formats;

namespace EdgeLlm.Core.Tensors.X86;

/// <summary>Q6_K × Q8_K on x64 (AVX2 or AVX-VNNI), four weight rows per pass over each activation block.</summary>
/// <remarks>
/// The 6-bit quants are used unsigned (0..63) with u8·s8 multiplies, and the −32 offset is taken off as 32·Σy per int16 pair.
/// That 32·Σy depends only on the activations, so it is computed once per block for all rows.
/// </remarks>
internal static unsafe class Q6_KX86
{
    private const int WB = BlockQ6_K.Bytes, AB = BlockQ8_K.Bytes;

    private struct Act
    {
        public Vector256<sbyte> Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7;
        public Vector256<short> O0, O1, O2, O3, O4, O5, O6, O7; // 32·(y[2i] + y[2i+1]) per int16 lane
        public float D;
    }

    public static void Rows<T>(byte* w, nint rowBytes, int rows, byte* a, int n, float* results) where T : struct, IX86IntDot
    {
        int nb = n / 256, r = 0;
        Act act;
        for (; r + 4 <= rows; r += 4)
        {
            byte* w0 = w + r * rowBytes;
            Vector256<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
            for (int ib = 0; ib < nb; ib++)
            {
                Load(a + ib * AB, out act);
                byte* x = w0 + ib * WB;
                Block<T>(ref acc0, x, in act);
                Block<T>(ref acc1, x + rowBytes, in act);
                Block<T>(ref acc2, x + 2 * rowBytes, in act);
                Block<T>(ref acc3, x + 3 * rowBytes, in act);
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
                Load(a + ib * AB, out act);
                Block<T>(ref acc, w0 + ib * WB, in act);
            }
            results[r] = Vector256.Sum(acc);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Load(byte* y, out Act act)
    {
        sbyte* q = (sbyte*)(y + BlockQ8_K.Qs);
        Vector256<byte> k32 = Vector256.Create((byte)32);
        act.Y0 = Vector256.Load(q); act.O0 = Avx2.MultiplyAddAdjacent(k32, act.Y0);
        act.Y1 = Vector256.Load(q + 32); act.O1 = Avx2.MultiplyAddAdjacent(k32, act.Y1);
        act.Y2 = Vector256.Load(q + 64); act.O2 = Avx2.MultiplyAddAdjacent(k32, act.Y2);
        act.Y3 = Vector256.Load(q + 96); act.O3 = Avx2.MultiplyAddAdjacent(k32, act.Y3);
        act.Y4 = Vector256.Load(q + 128); act.O4 = Avx2.MultiplyAddAdjacent(k32, act.Y4);
        act.Y5 = Vector256.Load(q + 160); act.O5 = Avx2.MultiplyAddAdjacent(k32, act.Y5);
        act.Y6 = Vector256.Load(q + 192); act.O6 = Avx2.MultiplyAddAdjacent(k32, act.Y6);
        act.Y7 = Vector256.Load(q + 224); act.O7 = Avx2.MultiplyAddAdjacent(k32, act.Y7);
        act.D = *(float*)y;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block<T>(ref Vector256<float> acc, byte* x, in Act act) where T : struct, IX86IntDot
    {
        // Scales sign-extended to 16 int16 lanes; int lane v then holds the pair (scale 2v, scale 2v+1) for 32-weight run v.
        Vector256<int> sc = Avx2.ConvertToVector256Int16(Vector128.Load((sbyte*)(x + BlockQ6_K.Scales))).AsInt32();
        Vector256<int> sum = default;
        sum = Half<T>(sum, x + BlockQ6_K.Ql, x + BlockQ6_K.Qh, sc, 0, act.Y0, act.Y1, act.Y2, act.Y3, act.O0, act.O1, act.O2, act.O3);
        sum = Half<T>(sum, x + BlockQ6_K.Ql + 64, x + BlockQ6_K.Qh + 32, sc, 4, act.Y4, act.Y5, act.Y6, act.Y7, act.O4, act.O5, act.O6, act.O7);
        float d = Fp16.ToSingleArithmetic(*(ushort*)(x + BlockQ6_K.D)) * act.D;
        acc = Fma.MultiplyAdd(Avx.ConvertToVector256Single(sum), Vector256.Create(d), acc);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Half<T>(Vector256<int> sum, byte* ql, byte* qh, Vector256<int> sc, int run,
        Vector256<sbyte> y0, Vector256<sbyte> y1, Vector256<sbyte> y2, Vector256<sbyte> y3,
        Vector256<short> o0, Vector256<short> o1, Vector256<short> o2, Vector256<short> o3) where T : struct, IX86IntDot
    {
        Vector256<byte> low = Vector256.Create((byte)0x0F), top = Vector256.Create((byte)0x30);
        Vector256<byte> l0 = Vector256.Load(ql), l1 = Vector256.Load(ql + 32);
        Vector256<ushort> h = Vector256.Load((ushort*)qh);
        // 16-bit shifts move bits across the byte boundary, but only into positions the masks then clear.
        Vector256<byte> q0 = (l0 & low) | (Avx2.ShiftLeftLogical(h, 4).AsByte() & top);
        Vector256<byte> q1 = (l1 & low) | (Avx2.ShiftLeftLogical(h, 2).AsByte() & top);
        Vector256<byte> q2 = (Avx2.ShiftRightLogical(l0.AsUInt16(), 4).AsByte() & low) | (h.AsByte() & top);
        Vector256<byte> q3 = (Avx2.ShiftRightLogical(l1.AsUInt16(), 4).AsByte() & low) | (Avx2.ShiftRightLogical(h, 2).AsByte() & top);
        sum = T.MaddI16(sum, Avx2.MultiplyAddAdjacent(q0, y0) - o0, Scales(sc, run));
        sum = T.MaddI16(sum, Avx2.MultiplyAddAdjacent(q1, y1) - o1, Scales(sc, run + 1));
        sum = T.MaddI16(sum, Avx2.MultiplyAddAdjacent(q2, y2) - o2, Scales(sc, run + 2));
        return T.MaddI16(sum, Avx2.MultiplyAddAdjacent(q3, y3) - o3, Scales(sc, run + 3));
    }

    /// <summary>int16 lanes 0..7 = scale 2v, lanes 8..15 = scale 2v+1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<short> Scales(Vector256<int> sc, int v)
    {
        Vector256<int> pair = Avx2.PermuteVar8x32(sc, Vector256.Create(v));
        return Avx2.Shuffle(pair.AsByte(), Vector256.Create(
            (byte)0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1,
            2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3)).AsInt16();
    }
}
