using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using EdgeLlm.Core.Tensors.Formats;

namespace EdgeLlm.Core.Tensors.Arm;

/// <summary>
/// Interleaved Q6_K (<see cref="InterleavedQ6_K"/>) × Q8_K on arm64 with SDOT, rows 0..3 and 4..7 in two registers; same
/// arithmetic as the x64 kernel. Needs a lane-exact SDOT (see <see cref="InterleavedQ4_0Arm"/>).
/// </summary>
internal static unsafe class InterleavedQ6_KArm
{
    private const int AB = BlockQ8_K.Bytes;

    public static void Rows<T>(byte* groups, int groupCount, byte* a, int n, float* results) where T : struct, IArmIntDot
    {
        int nb = n / BlockQ8_K.Elements;
        long groupBytes = InterleavedQ6_K.GroupBytes(n);
        for (int g = 0; g < groupCount; g++)
        {
            byte* q = groups + g * groupBytes;
            byte* meta = q + nb * InterleavedQ6_K.BlockQuantBytes;
            Vector128<float> acc0 = default, acc1 = default;
            for (int b = 0; b < nb; b++, q += InterleavedQ6_K.BlockQuantBytes, meta += InterleavedQ6_K.BlockMetaBytes)
            {
                byte* y = a + b * AB + BlockQ8_K.Qs;
                short* bsums = (short*)(a + b * AB + BlockQ8_K.BSums);
                Vector128<int> is0 = default, is1 = default;
                for (int s4 = 0; s4 < 4; s4++)
                    for (int part = 0; part < 4; part++)
                    {
                        // Sub-block s = 4·part + s4 covers columns 16s..16s+15: chunks m = 4·s4 .. 4·s4 + 3 of vector "part".
                        int s = 4 * part + s4;
                        Vector128<int> bias = Vector128.Create(-32 * bsums[s]);
                        Vector128<int> sum0 = bias, sum1 = bias;
                        for (int mm = 0; mm < 4; mm++)
                        {
                            int m = 4 * s4 + mm;
                            var (v0, v1) = Quants(q, m, part);
                            Vector128<sbyte> yq = Vector128.Create(*(int*)(y + 64 * part + 4 * m)).AsSByte();
                            sum0 = T.Dot(sum0, v0, yq);
                            sum1 = T.Dot(sum1, v1, yq);
                        }
                        var (sc0, sc1) = Scales(meta + InterleavedQ6_K.MetaScales + 8 * s);
                        is0 += sum0 * sc0;
                        is1 += sum1 * sc1;
                    }
                float dy = *(float*)(a + b * AB + BlockQ8_K.D);
                Vector128<short> d = Vector128.Load((short*)(meta + InterleavedQ6_K.MetaD));
                acc0 = Vector128.FusedMultiplyAdd(Vector128.ConvertToSingle(is0), Fp16.ToSingleByShift(Vector128.WidenLower(d)) * Vector128.Create(dy), acc0);
                acc1 = Vector128.FusedMultiplyAdd(Vector128.ConvertToSingle(is1), Fp16.ToSingleByShift(Vector128.WidenUpper(d)) * Vector128.Create(dy), acc1);
            }
            acc0.Store(results + g * 8);
            acc1.Store(results + g * 8 + 4);
        }
    }

    /// <summary>
    /// Quants of chunk m for vector "part" (0: columns 4m.., 1: 64 + 4m.., 2: 128 + 4m.., 3: 192 + 4m..), rows 0..3 and 4..7.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector128<sbyte>, Vector128<sbyte>) Quants(byte* q, int m, int part)
    {
        byte* nibbles = q + 32 * (part % 2 == 0 ? m : m + 16);
        byte* high = q + InterleavedQ6_K.HighPlane + 32 * m;
        return (Quant(Vector128.Load(nibbles), Vector128.Load(high), part), Quant(Vector128.Load(nibbles + 16), Vector128.Load(high + 16), part));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<sbyte> Quant(Vector128<byte> nibbles, Vector128<byte> high, int part)
    {
        Vector128<byte> low = part < 2 ? nibbles & Vector128.Create((byte)0x0F) : nibbles >>> 4;
        Vector128<byte> top = ((high >>> (2 * part)) & Vector128.Create((byte)3)) << 4;
        return (low | top).AsSByte();
    }

    /// <summary>Eight signed bytes (rows 0..7) as two int vectors (rows 0..3, 4..7).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector128<int>, Vector128<int>) Scales(byte* p)
    {
        Vector128<short> w = Vector128.WidenLower(Vector128.CreateScalar(*(ulong*)p).AsSByte());
        return (Vector128.WidenLower(w), Vector128.WidenUpper(w));
    }
}
