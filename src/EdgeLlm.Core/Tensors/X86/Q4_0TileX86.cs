using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using EdgeLlm.Core.Tensors.Formats;

namespace EdgeLlm.Core.Tensors.X86;

/// <summary>
/// Q4_0 × Q8_0 matrix × matrix for prompt batches: tiles of 8 weight rows × 4 tokens, the weights repacked on the fly.
/// </summary>
/// <remarks>
/// <para>A strip of 16 blocks of 8 rows is unpacked once into L1 scratch as bytes 0..15, transposed so that one 256-bit
/// register holds the same four columns of the 8 rows (one row per int lane). A u8·s8 dot-product instruction with the
/// token's four activation bytes broadcast then advances all 8 rows at once, and a block needs one int → float conversion
/// and one FMA per 8 rows and token instead of per row. The strip is reused by every token of the batch, so the
/// repacking cost is shared, and the mapped weights stay untouched (no resident copy).</para>
/// <para>Σ(q−8)·y = Σq·y − 8·Σy: the −8·Σy term of each (token, block) and the activation scales are prepared once per
/// batch (<see cref="Prepare"/>), and each block's integer sum is complete before it is scaled by d(row)·d(token).</para>
/// </remarks>
internal static unsafe class Q4_0TileX86
{
    private const int WB = BlockQ4_0.Bytes, AB = BlockQ8_0.Bytes;
    private const int Strip = 16;
    private const int PackedBlock = 8 * 32 + 8 * 4; // 8 column groups × 8 rows × 4 bytes, then the 8 row scales
    public const int ScratchBytes = Strip * PackedBlock;
    public const int Rows = 8;

    /// <summary>aux[t·nb + b] = d(token t, block b); bias[t·nb + b] = −8·Σ q(t, b).</summary>
    public static void Prepare(byte* act, nint stride, int tokens, int n, float* aux)
    {
        int nb = n / 32;
        int* bias = (int*)(aux + tokens * nb);
        for (int t = 0; t < tokens; t++)
        {
            byte* a = act + t * stride;
            for (int b = 0; b < nb; b++)
            {
                byte* y = a + b * AB;
                aux[t * nb + b] = Fp16.ToSingleArithmetic(*(ushort*)y);
                Vector256<int> s = Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(Vector256.Create((byte)1), Vector256.Load((sbyte*)(y + BlockQ8_0.Qs))), Vector256.Create((short)1));
                bias[t * nb + b] = -8 * Vector256.Sum(s);
            }
        }
    }

    /// <summary>
    /// output[t·outStride + r] = row r · token t for r in [0, rows) (rows a multiple of 8) and t in [0, tokens).
    /// </summary>
    public static void Run<T>(byte* w, nint rowBytes, int rows, byte* act, nint stride, int tokens, int n, float* aux,
        float* output, nint outStride, byte* scratch) where T : struct, IX86IntDot
    {
        int nb = n / 32;
        int* bias = (int*)(aux + tokens * nb);
        for (int r0 = 0; r0 + Rows <= rows; r0 += Rows)
        {
            byte* w0 = w + r0 * rowBytes;
            float* out0 = output + r0;
            for (int b0 = 0; b0 < nb; b0 += Strip)
            {
                int count = Math.Min(Strip, nb - b0);
                Repack(w0 + b0 * WB, rowBytes, count, scratch);
                for (int t = 0; t < tokens; t += 4)
                {
                    int t1 = Math.Min(t + 1, tokens - 1), t2 = Math.Min(t + 2, tokens - 1), t3 = Math.Min(t + 3, tokens - 1);
                    float* o0 = out0 + t * outStride, o1 = out0 + t1 * outStride, o2 = out0 + t2 * outStride, o3 = out0 + t3 * outStride;
                    Vector256<float> acc0, acc1, acc2, acc3;
                    if (b0 == 0) acc0 = acc1 = acc2 = acc3 = default;
                    else { acc0 = Vector256.Load(o0); acc1 = Vector256.Load(o1); acc2 = Vector256.Load(o2); acc3 = Vector256.Load(o3); }
                    byte* y0 = act + t * stride + b0 * AB + BlockQ8_0.Qs, y1 = act + t1 * stride + b0 * AB + BlockQ8_0.Qs;
                    byte* y2 = act + t2 * stride + b0 * AB + BlockQ8_0.Qs, y3 = act + t3 * stride + b0 * AB + BlockQ8_0.Qs;
                    int i0 = t * nb + b0, i1 = t1 * nb + b0, i2 = t2 * nb + b0, i3 = t3 * nb + b0;
                    for (int j = 0; j < count; j++)
                    {
                        byte* p = scratch + j * PackedBlock;
                        Vector256<int> s0 = Avx2.BroadcastScalarToVector256(bias + i0 + j), s1 = Avx2.BroadcastScalarToVector256(bias + i1 + j);
                        Vector256<int> s2 = Avx2.BroadcastScalarToVector256(bias + i2 + j), s3 = Avx2.BroadcastScalarToVector256(bias + i3 + j);
                        int yo = j * AB;
                        for (int k = 0; k < 8; k++)
                        {
                            Vector256<byte> q = Vector256.Load(p + 32 * k);
                            s0 = T.DotU8I8(s0, q, Avx2.BroadcastScalarToVector256((int*)(y0 + yo + 4 * k)).AsSByte());
                            s1 = T.DotU8I8(s1, q, Avx2.BroadcastScalarToVector256((int*)(y1 + yo + 4 * k)).AsSByte());
                            s2 = T.DotU8I8(s2, q, Avx2.BroadcastScalarToVector256((int*)(y2 + yo + 4 * k)).AsSByte());
                            s3 = T.DotU8I8(s3, q, Avx2.BroadcastScalarToVector256((int*)(y3 + yo + 4 * k)).AsSByte());
                        }
                        Vector256<float> dx = Vector256.Load((float*)(p + 256));
                        acc0 = Fma.MultiplyAdd(Avx.ConvertToVector256Single(s0), dx * Avx.BroadcastScalarToVector256(aux + i0 + j), acc0);
                        acc1 = Fma.MultiplyAdd(Avx.ConvertToVector256Single(s1), dx * Avx.BroadcastScalarToVector256(aux + i1 + j), acc1);
                        acc2 = Fma.MultiplyAdd(Avx.ConvertToVector256Single(s2), dx * Avx.BroadcastScalarToVector256(aux + i2 + j), acc2);
                        acc3 = Fma.MultiplyAdd(Avx.ConvertToVector256Single(s3), dx * Avx.BroadcastScalarToVector256(aux + i3 + j), acc3);
                    }
                    // Padding tokens (t1..t3 clamped to the last one) recompute the last token and store the same values.
                    acc3.Store(o3);
                    acc2.Store(o2);
                    acc1.Store(o1);
                    acc0.Store(o0);
                }
            }
        }
    }

    /// <summary>Unpacks <paramref name="count"/> blocks of 8 rows into the transposed strip layout.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Repack(byte* x, nint rowBytes, int count, byte* dst)
    {
        Vector256<int> rowIndex = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7) * Vector256.Create((int)rowBytes);
        for (int j = 0; j < count; j++)
        {
            byte* b = x + j * WB;
            byte* p = dst + j * PackedBlock;
            Vector256<int> u0 = Unpack(b), u1 = Unpack(b + rowBytes), u2 = Unpack(b + 2 * rowBytes), u3 = Unpack(b + 3 * rowBytes);
            Vector256<int> u4 = Unpack(b + 4 * rowBytes), u5 = Unpack(b + 5 * rowBytes), u6 = Unpack(b + 6 * rowBytes), u7 = Unpack(b + 7 * rowBytes);
            Vector256<long> t0 = Avx2.UnpackLow(u0, u1).AsInt64(), t1 = Avx2.UnpackHigh(u0, u1).AsInt64();
            Vector256<long> t2 = Avx2.UnpackLow(u2, u3).AsInt64(), t3 = Avx2.UnpackHigh(u2, u3).AsInt64();
            Vector256<long> t4 = Avx2.UnpackLow(u4, u5).AsInt64(), t5 = Avx2.UnpackHigh(u4, u5).AsInt64();
            Vector256<long> t6 = Avx2.UnpackLow(u6, u7).AsInt64(), t7 = Avx2.UnpackHigh(u6, u7).AsInt64();
            Vector256<long> s0 = Avx2.UnpackLow(t0, t2), s1 = Avx2.UnpackHigh(t0, t2), s2 = Avx2.UnpackLow(t1, t3), s3 = Avx2.UnpackHigh(t1, t3);
            Vector256<long> s4 = Avx2.UnpackLow(t4, t6), s5 = Avx2.UnpackHigh(t4, t6), s6 = Avx2.UnpackLow(t5, t7), s7 = Avx2.UnpackHigh(t5, t7);
            Avx2.Permute2x128(s0, s4, 0x20).Store((long*)p);
            Avx2.Permute2x128(s1, s5, 0x20).Store((long*)(p + 32));
            Avx2.Permute2x128(s2, s6, 0x20).Store((long*)(p + 64));
            Avx2.Permute2x128(s3, s7, 0x20).Store((long*)(p + 96));
            Avx2.Permute2x128(s0, s4, 0x31).Store((long*)(p + 128));
            Avx2.Permute2x128(s1, s5, 0x31).Store((long*)(p + 160));
            Avx2.Permute2x128(s2, s6, 0x31).Store((long*)(p + 192));
            Avx2.Permute2x128(s3, s7, 0x31).Store((long*)(p + 224));
            Fp16.ToSingleLow(Avx2.GatherVector256((int*)b, rowIndex, 1)).Store((float*)(p + 256));
        }
    }

    /// <summary>A block's 16 packed bytes → 32 values 0..15 in element order (low nibbles, then high nibbles).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Unpack(byte* block) => Q4_0X86.Unpack(block).AsInt32();
}
