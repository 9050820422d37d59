using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using EdgeLlm.Core.Tensors.Formats;

namespace EdgeLlm.Core.Tensors.Arm;

/// <summary>
/// Interleaved Q4_K (<see cref="InterleavedQ4_K"/>) × Q8_K on arm64 with SDOT, rows 0..3 and 4..7 in two registers; same
/// arithmetic as the x64 kernel (integer scales, then d and dmin per block). Needs a lane-exact SDOT (see
/// <see cref="InterleavedQ4_0Arm"/>).
/// </summary>
internal static unsafe class InterleavedQ4_KArm
{
    private const int AB = BlockQ8_K.Bytes;

    public static void Rows<T>(byte* groups, int groupCount, byte* a, int n, float* results) where T : struct, IArmIntDot
    {
        int nb = n / BlockQ8_K.Elements;
        long groupBytes = InterleavedQ4_K.GroupBytes(n);
        int* ys = stackalloc int[nb * 8];
        for (int b = 0; b < nb; b++)
        {
            short* bsums = (short*)(a + b * AB + BlockQ8_K.BSums);
            for (int j = 0; j < 8; j++) ys[b * 8 + j] = bsums[2 * j] + bsums[2 * j + 1];
        }
        Vector128<byte> mask = Vector128.Create((byte)0x0F);
        for (int g = 0; g < groupCount; g++)
        {
            byte* q = groups + g * groupBytes;
            byte* meta = q + InterleavedQ4_K.BlockQuantBytes;
            byte* y = a + BlockQ8_K.Qs;
            Vector128<float> acc0 = default, acc1 = default;
            for (int b = 0; b < nb; b++, q += InterleavedQ4_K.BlockBytes, meta += InterleavedQ4_K.BlockBytes, y += AB)
            {
                Vector128<int> is0 = default, is1 = default;
                for (int c = 0; c < 4; c++)
                {
                    Vector128<int> lo0 = default, lo1 = default, hi0 = default, hi1 = default;
                    // 32 low and 32 high activations in four loads; chunk k takes quadruplet k % 4 of them (by-element SDOT),
                    // written out because the compiler does not unroll and the loop's own arithmetic outweighed its body.
                    byte* v = q + 256 * c;
                    sbyte* yc = (sbyte*)(y + 64 * c);
                    Vector128<sbyte> yl = Vector128.Load(yc), yh = Vector128.Load(yc + 32);
                    Chunk<T>(v, yl, yh, 0, mask, ref lo0, ref lo1, ref hi0, ref hi1);
                    Chunk<T>(v + 32, yl, yh, 1, mask, ref lo0, ref lo1, ref hi0, ref hi1);
                    Chunk<T>(v + 64, yl, yh, 2, mask, ref lo0, ref lo1, ref hi0, ref hi1);
                    Chunk<T>(v + 96, yl, yh, 3, mask, ref lo0, ref lo1, ref hi0, ref hi1);
                    yl = Vector128.Load(yc + 16);
                    yh = Vector128.Load(yc + 48);
                    Chunk<T>(v + 128, yl, yh, 0, mask, ref lo0, ref lo1, ref hi0, ref hi1);
                    Chunk<T>(v + 160, yl, yh, 1, mask, ref lo0, ref lo1, ref hi0, ref hi1);
                    Chunk<T>(v + 192, yl, yh, 2, mask, ref lo0, ref lo1, ref hi0, ref hi1);
                    Chunk<T>(v + 224, yl, yh, 3, mask, ref lo0, ref lo1, ref hi0, ref hi1);
                    var (sl0, sl1) = Bytes(meta + InterleavedQ4_K.MetaScales + 16 * c);
                    var (sh0, sh1) = Bytes(meta + InterleavedQ4_K.MetaScales + 16 * c + 8);
                    is0 += lo0 * sl0 + hi0 * sh0;
                    is1 += lo1 * sl1 + hi1 * sh1;
                }
                Vector128<int> m0 = default, m1 = default;
                for (int j = 0; j < 8; j++)
                {
                    var (mn0, mn1) = Bytes(meta + InterleavedQ4_K.MetaMins + 8 * j);
                    Vector128<int> s = Vector128.Create(ys[b * 8 + j]);
                    m0 += mn0 * s;
                    m1 += mn1 * s;
                }
                float dy = *(float*)(y - BlockQ8_K.Qs + BlockQ8_K.D);
                Vector128<short> d = Vector128.Load((short*)(meta + InterleavedQ4_K.MetaD)), dmin = Vector128.Load((short*)(meta + InterleavedQ4_K.MetaDMin));
                acc0 = Step(acc0, is0, m0, Fp16.ToSingleByShift(Vector128.WidenLower(d)), Fp16.ToSingleByShift(Vector128.WidenLower(dmin)), dy);
                acc1 = Step(acc1, is1, m1, Fp16.ToSingleByShift(Vector128.WidenUpper(d)), Fp16.ToSingleByShift(Vector128.WidenUpper(dmin)), dy);
            }
            acc0.Store(results + g * 8);
            acc1.Store(results + g * 8 + 4);
        }
    }

    /// <summary>One 32-byte chunk (8 rows × 4 columns, low and high nibbles) against quadruplet <paramref name="k"/> of the activations.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Chunk<T>(byte* v, Vector128<sbyte> yl, Vector128<sbyte> yh, [ConstantExpected(Max = 3)] byte k, Vector128<byte> mask,
        ref Vector128<int> lo0, ref Vector128<int> lo1, ref Vector128<int> hi0, ref Vector128<int> hi1) where T : struct, IArmIntDot
    {
        Vector128<byte> v0 = Vector128.Load(v), v1 = Vector128.Load(v + 16);
        lo0 = T.DotLane(lo0, (v0 & mask).AsSByte(), yl, k);
        lo1 = T.DotLane(lo1, (v1 & mask).AsSByte(), yl, k);
        hi0 = T.DotLane(hi0, (v0 >>> 4).AsSByte(), yh, k);
        hi1 = T.DotLane(hi1, (v1 >>> 4).AsSByte(), yh, k);
    }

    /// <summary>Eight bytes (rows 0..7) as two int vectors (rows 0..3, 4..7).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector128<int>, Vector128<int>) Bytes(byte* p)
    {
        Vector128<ushort> w = Vector128.WidenLower(Vector128.CreateScalar(*(ulong*)p).AsByte());
        return (Vector128.WidenLower(w).AsInt32(), Vector128.WidenUpper(w).AsInt32());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Step(Vector128<float> acc, Vector128<int> isum, Vector128<int> minSum, Vector128<float> d, Vector128<float> dmin, float dy)
    {
        Vector128<float> da = Vector128.Create(dy);
        acc = Vector128.FusedMultiplyAdd(Vector128.ConvertToSingle(isum), d * da, acc);
        return Vector128.FusedMultiplyAdd(-Vector128.ConvertToSingle(minSum), dmin * da, acc);
    }
}
