using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using EdgeLlm.Core.Tensors.Formats;

namespace EdgeLlm.Core.Tensors.X86;

/// <summary>
/// Interleaved Q4_0 (<see cref="InterleavedQ4_0"/>) × Q8_0 on x64: each 256-bit integer lane is one row, so a block of
/// 8 rows costs 8 integer dot instructions, one conversion and one multiply-add. Generation walks one group at a time, one
/// sequential stream (see <see cref="InterleavedQ4_0Avx512"/>).
/// </summary>
internal static unsafe class InterleavedQ4_0X86
{
    private const int AB = BlockQ8_0.Bytes;



    public static void Rows<T>(byte* groups, int groupCount, byte* a, int n, float* results) where T : struct, IX86IntDot
    {
        int nb = n / 32;
        long groupBytes = InterleavedQ4_0.GroupBytes(n);
        int* bias = stackalloc int[nb];
        float* dy = stackalloc float[nb];
        PrepareActivation<T>(a, nb, bias, dy);
        for (int g = 0; g < groupCount; g++)
            OneGroup<T>(groups + g * groupBytes, nb, a + BlockQ8_0.Qs, bias, dy, results + g * 8);
    }

    /// <summary>Per activation block: −8·Σy (the nibbles are unsigned, 0..15, and Q4_0 values are q−8) and d_a.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void PrepareActivation<T>(byte* a, int nb, int* bias, float* dy) where T : struct, IX86IntDot
    {
        for (int b = 0; b < nb; b++)
        {
            byte* y = a + b * AB;
            bias[b] = -Vector256.Sum(T.DotU8I8(default, Vector256.Create((byte)8), Vector256.Load((sbyte*)(y + BlockQ8_0.Qs))));
            dy[b] = Fp16.ToSingleArithmetic(*(ushort*)y);
        }
    }

    /// <summary>The 8 rows' fp16 values at <paramref name="halves"/> as floats, exactly.</summary>
    /// <remarks>
    /// Not the shorter "shift the half into a float and multiply by 2¹¹²": a subnormal half becomes a subnormal float there,
    /// and x86 multiplies by one through a microcode assist costing ~100 cycles (seen halving Q4_K speed on a model whose
    /// dmin values were tiny). This conversion only ever feeds normal floats to the FPU.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> Halves(byte* halves) => Fp16.ToSingleLow(Avx2.ConvertToVector256Int32((ushort*)halves));

    /// <summary>The 8 rows' Q4_0 d at <paramref name="halves"/> as floats, exactly, in three instructions.</summary>
    /// <remarks>
    /// Unlike <see cref="Halves"/> this hands the FPU a subnormal float when d is a subnormal half (see
    /// <see cref="Fp16.ToSingleScaledDown(Vector256{int})"/>). That is fine for Q4_0, where d = max|w|/8 is subnormal only in
    /// a block whose every weight is below 5·10⁻⁴; K-quant d and dmin are much smaller (Q6_K's are often subnormal) and keep
    /// <see cref="Halves"/>, whose cost a 256-column block amortizes anyway. Measured: the Q4_0 prompt and generation
    /// kernels run 10-25% faster on AVX2.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Q4_0Scales(byte* halves) => Fp16.ToSingleByShift(Avx2.ConvertToVector256Int32((short*)halves));

    /// <summary>The 8 rows' d_w·d_a of block b from the group's scale area.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> Scales(byte* scales, Vector256<float> dy) => Q4_0Scales(scales) * dy;

    /// <summary>Integer sums of one block of 8 rows with the activation block's 32 quants at y; starts from the bias.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<int> BlockSums<T>(byte* q, Vector256<int> bias, byte* y) where T : struct, IX86IntDot
    {
        Vector256<byte> mask = Vector256.Create((byte)0x0F);
        Vector256<byte> v0 = Vector256.Load(q), v1 = Vector256.Load(q + 32), v2 = Vector256.Load(q + 64), v3 = Vector256.Load(q + 96);
        // Two chains (low and high nibbles) halve the dependency on the multiply-add latency; four 4-bit steps each.
        Vector256<int> lo = default, hi = default;
        lo = T.Partial(lo, v0 & mask, Quad(y)); hi = T.Partial(hi, Avx2.ShiftRightLogical(v0.AsUInt16(), 4).AsByte() & mask, Quad(y + 16));
        lo = T.Partial(lo, v1 & mask, Quad(y + 4)); hi = T.Partial(hi, Avx2.ShiftRightLogical(v1.AsUInt16(), 4).AsByte() & mask, Quad(y + 20));
        lo = T.Partial(lo, v2 & mask, Quad(y + 8)); hi = T.Partial(hi, Avx2.ShiftRightLogical(v2.AsUInt16(), 4).AsByte() & mask, Quad(y + 24));
        lo = T.Partial(lo, v3 & mask, Quad(y + 12)); hi = T.Partial(hi, Avx2.ShiftRightLogical(v3.AsUInt16(), 4).AsByte() & mask, Quad(y + 28));
        return T.Finish(T.Finish(bias, lo), hi);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<sbyte> Quad(byte* y) => Vector256.Create(*(int*)y).AsSByte();

    private static void OneGroup<T>(byte* q, int nb, byte* y, int* bias, float* dy, float* results) where T : struct, IX86IntDot
    {
        Vector256<float> acc = default;
        for (int b = 0; b < nb; b++, y += AB, q += InterleavedQ4_0.BlockBytes)
        {
            Vector256<int> sum = BlockSums<T>(q, Vector256.Create(bias[b]), y);
            acc = Fma.MultiplyAdd(Avx.ConvertToVector256Single(sum), Scales(q + InterleavedQ4_0.BlockQuantBytes, Vector256.Create(dy[b])), acc);
        }
        acc.Store(results);
    }

    /// <summary>
    /// Matrix × matrix for prompt batches: output[t·outStride + 8g + r] = row r of group g · token t. Each block of a
    /// group is unpacked once per four tokens and stays in registers while they use it; the activation terms come from
    /// <see cref="Q4_0TileX86.Prepare"/> (aux: d(t, b), then the −8·Σy ints).
    /// </summary>
    public static void Tile<T>(byte* groups, int groupCount, byte* act, nint stride, int tokens, int n, float* aux,
        float* output, nint outStride) where T : struct, IX86IntDot
    {
        int nb = n / 32;
        long groupBytes = InterleavedQ4_0.GroupBytes(n);
        int* bias = (int*)(aux + tokens * nb);
        for (int g = 0; g < groupCount; g++)
        {
            byte* q = groups + g * groupBytes;
            float* out0 = output + g * 8;
            int t = 0;
            // Eight tokens share each unpacked block where the register file holds them (AVX-512 machines have 32 vector
            // registers; with 16 the eight accumulators and eight weight vectors would spill).
            if (Avx512F.VL.IsSupported)
                for (; t + 8 <= tokens; t += 8)
                    EightTokens<T>(q, nb, act + t * stride + BlockQ8_0.Qs, stride, aux + t * nb, bias + t * nb, out0 + t * outStride, outStride);
            for (; t + 4 <= tokens; t += 4)
                FourTokens<T>(q, nb, act + t * stride + BlockQ8_0.Qs, stride, aux + t * nb, bias + t * nb, out0 + t * outStride, outStride);
            for (; t < tokens; t++)
                OneGroup<T>(q, nb, act + t * stride + BlockQ8_0.Qs, bias + t * nb, aux + t * nb, out0 + t * outStride);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> TokenSums<T>(Vector256<byte> l0, Vector256<byte> l1, Vector256<byte> l2, Vector256<byte> l3,
        Vector256<byte> h0, Vector256<byte> h1, Vector256<byte> h2, Vector256<byte> h3, byte* y, int bias) where T : struct, IX86IntDot
    {
        Vector256<int> lo = default, hi = default;
        lo = T.Partial(lo, l0, Quad(y)); hi = T.Partial(hi, h0, Quad(y + 16));
        lo = T.Partial(lo, l1, Quad(y + 4)); hi = T.Partial(hi, h1, Quad(y + 20));
        lo = T.Partial(lo, l2, Quad(y + 8)); hi = T.Partial(hi, h2, Quad(y + 24));
        lo = T.Partial(lo, l3, Quad(y + 12)); hi = T.Partial(hi, h3, Quad(y + 28));
        return T.Finish(T.Finish(Vector256.Create(bias), lo), hi);
    }

    private static void FourTokens<T>(byte* q, int nb, byte* y, nint stride, float* d, int* bias, float* output, nint outStride) where T : struct, IX86IntDot
    {
        Vector256<byte> mask = Vector256.Create((byte)0x0F);
        Vector256<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
        for (int b = 0; b < nb; b++, y += AB, q += InterleavedQ4_0.BlockBytes)
        {
            Vector256<byte> v0 = Vector256.Load(q), v1 = Vector256.Load(q + 32), v2 = Vector256.Load(q + 64), v3 = Vector256.Load(q + 96);
            Vector256<byte> l0 = v0 & mask, l1 = v1 & mask, l2 = v2 & mask, l3 = v3 & mask;
            Vector256<byte> h0 = Avx2.ShiftRightLogical(v0.AsUInt16(), 4).AsByte() & mask, h1 = Avx2.ShiftRightLogical(v1.AsUInt16(), 4).AsByte() & mask;
            Vector256<byte> h2 = Avx2.ShiftRightLogical(v2.AsUInt16(), 4).AsByte() & mask, h3 = Avx2.ShiftRightLogical(v3.AsUInt16(), 4).AsByte() & mask;
            Vector256<float> dw = Q4_0Scales(q + InterleavedQ4_0.BlockQuantBytes);
            acc0 = Fma.MultiplyAdd(Avx.ConvertToVector256Single(TokenSums<T>(l0, l1, l2, l3, h0, h1, h2, h3, y, bias[b])), dw * d[b], acc0);
            acc1 = Fma.MultiplyAdd(Avx.ConvertToVector256Single(TokenSums<T>(l0, l1, l2, l3, h0, h1, h2, h3, y + stride, bias[nb + b])), dw * d[nb + b], acc1);
            acc2 = Fma.MultiplyAdd(Avx.ConvertToVector256Single(TokenSums<T>(l0, l1, l2, l3, h0, h1, h2, h3, y + 2 * stride, bias[2 * nb + b])), dw * d[2 * nb + b], acc2);
            acc3 = Fma.MultiplyAdd(Avx.ConvertToVector256Single(TokenSums<T>(l0, l1, l2, l3, h0, h1, h2, h3, y + 3 * stride, bias[3 * nb + b])), dw * d[3 * nb + b], acc3);
        }
        acc0.Store(output);
        acc1.Store(output + outStride);
        acc2.Store(output + 2 * outStride);
        acc3.Store(output + 3 * outStride);
    }

    private static void EightTokens<T>(byte* q, int nb, byte* y, nint stride, float* d, int* bias, float* output, nint outStride) where T : struct, IX86IntDot
    {
        Vector256<byte> mask = Vector256.Create((byte)0x0F);
        Vector256<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default, acc4 = default, acc5 = default, acc6 = default, acc7 = default;
        for (int b = 0; b < nb; b++, y += AB, q += InterleavedQ4_0.BlockBytes)
        {
            Vector256<byte> v0 = Vector256.Load(q), v1 = Vector256.Load(q + 32), v2 = Vector256.Load(q + 64), v3 = Vector256.Load(q + 96);
            Vector256<byte> l0 = v0 & mask, l1 = v1 & mask, l2 = v2 & mask, l3 = v3 & mask;
            Vector256<byte> h0 = Avx2.ShiftRightLogical(v0.AsUInt16(), 4).AsByte() & mask, h1 = Avx2.ShiftRightLogical(v1.AsUInt16(), 4).AsByte() & mask;
            Vector256<byte> h2 = Avx2.ShiftRightLogical(v2.AsUInt16(), 4).AsByte() & mask, h3 = Avx2.ShiftRightLogical(v3.AsUInt16(), 4).AsByte() & mask;
            Vector256<float> dw = Q4_0Scales(q + InterleavedQ4_0.BlockQuantBytes);
            acc0 = Fma.MultiplyAdd(Avx.ConvertToVector256Single(TokenSums<T>(l0, l1, l2, l3, h0, h1, h2, h3, y, bias[b])), dw * d[b], acc0);
            acc1 = Fma.MultiplyAdd(Avx.ConvertToVector256Single(TokenSums<T>(l0, l1, l2, l3, h0, h1, h2, h3, y + stride, bias[nb + b])), dw * d[nb + b], acc1);
            acc2 = Fma.MultiplyAdd(Avx.ConvertToVector256Single(TokenSums<T>(l0, l1, l2, l3, h0, h1, h2, h3, y + 2 * stride, bias[2 * nb + b])), dw * d[2 * nb + b], acc2);
            acc3 = Fma.MultiplyAdd(Avx.ConvertToVector256Single(TokenSums<T>(l0, l1, l2, l3, h0, h1, h2, h3, y + 3 * stride, bias[3 * nb + b])), dw * d[3 * nb + b], acc3);
            acc4 = Fma.MultiplyAdd(Avx.ConvertToVector256Single(TokenSums<T>(l0, l1, l2, l3, h0, h1, h2, h3, y + 4 * stride, bias[4 * nb + b])), dw * d[4 * nb + b], acc4);
            acc5 = Fma.MultiplyAdd(Avx.ConvertToVector256Single(TokenSums<T>(l0, l1, l2, l3, h0, h1, h2, h3, y + 5 * stride, bias[5 * nb + b])), dw * d[5 * nb + b], acc5);
            acc6 = Fma.MultiplyAdd(Avx.ConvertToVector256Single(TokenSums<T>(l0, l1, l2, l3, h0, h1, h2, h3, y + 6 * stride, bias[6 * nb + b])), dw * d[6 * nb + b], acc6);
            acc7 = Fma.MultiplyAdd(Avx.ConvertToVector256Single(TokenSums<T>(l0, l1, l2, l3, h0, h1, h2, h3, y + 7 * stride, bias[7 * nb + b])), dw * d[7 * nb + b], acc7);
        }
        acc0.Store(output);
        acc1.Store(output + outStride);
        acc2.Store(output + 2 * outStride);
        acc3.Store(output + 3 * outStride);
        acc4.Store(output + 4 * outStride);
        acc5.Store(output + 5 * outStride);
        acc6.Store(output + 6 * outStride);
        acc7.Store(output + 7 * outStride);
    }
}
