using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using EdgeLlm.Core.Tensors.Formats;

namespace EdgeLlm.Core.Tensors.X86;

/// <summary>Q4_0 × Q8_0 on x64: 256-bit (AVX2 or AVX-VNNI) and 512-bit (AVX-512BW) kernels, four weight rows per pass.</summary>
/// <remarks>
/// Instead of the sign trick we multiply the unsigned nibbles (0..15) by the activations and start each block's integer
/// sum at −8·Σy: Σ(q−8)·y = Σq·y − 8·Σy. The −8·Σy term depends only on the activation block, so it is computed once and
/// shared by the rows, leaving one multiply-add per row and block.
/// </remarks>
internal static unsafe class Q4_0X86
{
    private const int WB = BlockQ4_0.Bytes, AB = BlockQ8_0.Bytes;

    /// <summary>Blocks per strip: the scales of a strip are converted together (8 halves per gather) before the dot products.</summary>
    private const int Strip = 8;

    /// <summary>Rows of at most this many blocks get their per-block activation terms precomputed on the stack.</summary>
    private const int MaxPrecomputedBlocks = 512;

    public static void Rows<T>(byte* w, nint rowBytes, int rows, byte* a, int n, float* results) where T : struct, IX86IntDot
    {
        int nb = n / 32, r = 0;
        // Scale products d(row, block) · d(activation block) of the current strip, [row][block].
        float* scales = stackalloc float[4 * Strip];
        if (rows >= 4 && nb <= MaxPrecomputedBlocks)
        {
            // −8·Σy of every activation block, once for all rows of this call.
            Vector256<int>* bias = stackalloc Vector256<int>[nb];
            for (int ib = 0; ib < nb; ib++)
                bias[ib] = Vector256<int>.Zero - T.DotU8I8(default, Vector256.Create((byte)8), Vector256.Load((sbyte*)(a + ib * AB + BlockQ8_0.Qs)));
            for (; r + 4 <= rows; r += 4)
            {
                byte* w0 = w + r * rowBytes;
                Vector256<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
                for (int ib0 = 0; ib0 < nb; ib0 += Strip)
                {
                    int count = Math.Min(Strip, nb - ib0);
                    StripScales(w0 + ib0 * WB, rowBytes, 4, a + ib0 * AB, count, scales);
                    byte* x = w0 + ib0 * WB;
                    byte* y = a + ib0 * AB + BlockQ8_0.Qs;
                    Vector256<int>* b = bias + ib0;
                    for (int j = 0; j < count; j++, x += WB, y += AB)
                    {
                        Vector256<sbyte> qy = Vector256.Load((sbyte*)y);
                        Vector256<int> bj = b[j];
                        Block<T>(ref acc0, x, qy, bj, scales + j);
                        Block<T>(ref acc1, x + rowBytes, qy, bj, scales + Strip + j);
                        Block<T>(ref acc2, x + 2 * rowBytes, qy, bj, scales + 2 * Strip + j);
                        Block<T>(ref acc3, x + 3 * rowBytes, qy, bj, scales + 3 * Strip + j);
                    }
                }
                results[r] = Vector256.Sum(acc0);
                results[r + 1] = Vector256.Sum(acc1);
                results[r + 2] = Vector256.Sum(acc2);
                results[r + 3] = Vector256.Sum(acc3);
            }
        }
        for (; r < rows; r++)
        {
            byte* w0 = w + r * rowBytes;
            Vector256<float> acc = default;
            for (int ib = 0; ib < nb; ib++)
            {
                byte* y = a + ib * AB;
                Vector256<sbyte> qy = Vector256.Load((sbyte*)(y + BlockQ8_0.Qs));
                Vector256<int> bias = Vector256<int>.Zero - T.DotU8I8(default, Vector256.Create((byte)8), qy);
                byte* x = w0 + ib * WB;
                Block<T>(ref acc, x, qy, bias, Fp16.ToSingleArithmetic(*(ushort*)x) * Fp16.ToSingleArithmetic(*(ushort*)y));
            }
            results[r] = Vector256.Sum(acc);
        }
    }

    /// <summary>
    /// out[row·Strip + j] = d(row, block j) · d(activation block j) for <paramref name="count"/> blocks of <paramref name="rows"/> rows.
    /// A full strip gathers the eight halves of a row at once and converts them together; the float values are exactly the
    /// scalar conversions', so results do not depend on the strip position.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void StripScales(byte* x, nint rowBytes, int rows, byte* y, int count, float* output)
    {
        if (count == Strip)
        {
            Vector256<float> dy = Fp16.ToSingle(Halves(y, AB));
            for (int r = 0; r < rows; r++)
                (Fp16.ToSingle(Halves(x + r * rowBytes, WB)) * dy).Store(output + r * Strip);
            return;
        }
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < count; j++)
                output[r * Strip + j] = Fp16.ToSingleArithmetic(*(ushort*)(x + r * rowBytes + j * WB)) * Fp16.ToSingleArithmetic(*(ushort*)(y + j * AB));
    }

    /// <summary>Eight halves <paramref name="stride"/> bytes apart.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ushort> Halves(byte* p, int stride) => Vector128.Create(
        *(ushort*)p, *(ushort*)(p + stride), *(ushort*)(p + 2 * stride), *(ushort*)(p + 3 * stride),
        *(ushort*)(p + 4 * stride), *(ushort*)(p + 5 * stride), *(ushort*)(p + 6 * stride), *(ushort*)(p + 7 * stride));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block<T>(ref Vector256<float> acc, byte* x, Vector256<sbyte> qy, Vector256<int> bias, float d) where T : struct, IX86IntDot =>
        acc = Fma.MultiplyAdd(Avx.ConvertToVector256Single(T.DotU8I8(bias, Unpack(x), qy)), Vector256.Create(d), acc);

    /// <summary>Same as <see cref="Block{T}"/> with the scale read from memory (a broadcast load, no shuffle).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block<T>(ref Vector256<float> acc, byte* x, Vector256<sbyte> qy, Vector256<int> bias, float* d) where T : struct, IX86IntDot =>
        acc = Fma.MultiplyAdd(Avx.ConvertToVector256Single(T.DotU8I8(bias, Unpack(x), qy)), Avx.BroadcastScalarToVector256(d), acc);

    /// <summary>
    /// A block's 16 packed bytes to 32 values 0..15 in element order: both halves get the bytes (one broadcast load), the upper
    /// half is shifted right by 4 per dword, and the mask leaves the low nibbles (elements 0..15) below and the high nibbles
    /// (16..31) above.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<byte> Unpack(byte* x)
    {
        Vector256<uint> packed = Avx2.BroadcastVector128ToVector256(x + BlockQ4_0.Qs).AsUInt32();
        return Avx2.ShiftRightLogicalVariable(packed, Vector256.Create(0u, 0, 0, 0, 4, 4, 4, 4)).AsByte() & Vector256.Create((byte)0x0F);
    }

    /// <summary>AVX-512BW: two blocks per 512-bit register (block pairs), an odd last block through the 256-bit path.</summary>
    public static void Rows512(byte* w, nint rowBytes, int rows, byte* a, int n, float* results)
    {
        int nb = n / 32;
        for (int r = 0; r < rows; r++)
        {
            byte* w0 = w + r * rowBytes;
            // Four rows per pass like the 256-bit kernel would be nicer for cache reuse of the activation pair, but the activation
            // row is small and stays in L1, so the simple per-row loop costs little here.
            Vector512<float> acc = default;
            int ib = 0;
            for (; ib + 2 <= nb; ib += 2)
            {
                byte* y = a + ib * AB;
                Vector512<sbyte> qy = Vector512.Create(Vector256.Load((sbyte*)(y + BlockQ8_0.Qs)), Vector256.Load((sbyte*)(y + AB + BlockQ8_0.Qs)));
                byte* x = w0 + ib * WB;
                Vector128<byte> p0 = Vector128.Load(x + BlockQ4_0.Qs), p1 = Vector128.Load(x + WB + BlockQ4_0.Qs);
                Vector512<byte> q = Vector512.Create(
                    Vector256.Create(p0, Sse2.ShiftRightLogical(p0.AsUInt16(), 4).AsByte()),
                    Vector256.Create(p1, Sse2.ShiftRightLogical(p1.AsUInt16(), 4).AsByte())) & Vector512.Create((byte)0x0F);
                Vector512<short> qxy = Avx512BW.MultiplyAddAdjacent(q, qy);
                Vector512<short> eightY = Avx512BW.MultiplyAddAdjacent(Vector512.Create((byte)8), qy);
                Vector512<int> sum = Avx512BW.MultiplyAddAdjacent(qxy - eightY, Vector512.Create((short)1));
                Vector512<float> d = Vector512.Create(
                    Vector256.Create(Fp16.ToSingleArithmetic(*(ushort*)x) * Fp16.ToSingleArithmetic(*(ushort*)y)),
                    Vector256.Create(Fp16.ToSingleArithmetic(*(ushort*)(x + WB)) * Fp16.ToSingleArithmetic(*(ushort*)(y + AB))));
                acc = Avx512F.FusedMultiplyAdd(Avx512F.ConvertToVector512Single(sum), d, acc);
            }
            float total = Vector512.Sum(acc);
            if (ib < nb)
            {
                byte* y = a + ib * AB;
                Vector256<sbyte> qy = Vector256.Load((sbyte*)(y + BlockQ8_0.Qs));
                Vector256<int> bias = Vector256<int>.Zero - Avx2IntDot.DotU8I8(default, Vector256.Create((byte)8), qy);
                Vector256<float> tail = default;
                Block<Avx2IntDot>(ref tail, w0 + ib * WB, qy, bias, Fp16.ToSingleArithmetic(*(ushort*)(w0 + ib * WB)) * Fp16.ToSingleArithmetic(*(ushort*)y));
                total += Vector256.Sum(tail);
            }
            results[r] = total;
        }
    }
}
