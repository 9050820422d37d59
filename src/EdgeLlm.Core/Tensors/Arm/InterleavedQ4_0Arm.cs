using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using EdgeLlm.Core.Tensors.Formats;

namespace EdgeLlm.Core.Tensors.Arm;

/// <summary>
/// Interleaved Q4_0 (<see cref="InterleavedQ4_0"/>) × Q8_0 on arm64 with SDOT: each 128-bit int lane is one row, rows 0..3
/// in one register and 4..7 in another, so a block of 8 rows costs 8 SDOTs per half and one convert and multiply-add.
/// </summary>
/// <remarks>
/// Needs an SDOT whose lane i sums exactly bytes 4i..4i+3 (<see cref="SdotArm"/>, or <see cref="EmulatedSdot"/> in tests);
/// the widening path of the Cortex-A72 spreads a lane's products over two lanes, so that CPU keeps the row-major kernels.
/// </remarks>
internal static unsafe class InterleavedQ4_0Arm
{
    private const int AB = BlockQ8_0.Bytes;
    /// <summary>
    /// A half's bits, sign-extended, shifted left by 13 and masked to sign, exponent and mantissa, are the float half·2⁻¹¹²
    /// exactly, subnormals included; the activation scale carries the 2¹¹², so d_w·d_a is rounded once as in ggml. The
    /// product may take a subnormal input, which costs nothing extra on Cortex-A cores (x86 uses a longer conversion,
    /// see InterleavedQ4_0X86.Halves).
    /// </summary>
    internal const float TwoPow112 = 5.192296858534828e33f;

    public static void Rows<T>(byte* groups, int groupCount, byte* a, int n, float* results) where T : struct, IArmIntDot
    {
        int nb = n / 32;
        long groupBytes = InterleavedQ4_0.GroupBytes(n);
        int* bias = stackalloc int[nb];
        float* dy = stackalloc float[nb];
        for (int b = 0; b < nb; b++)
        {
            byte* y = a + b * AB;
            Vector128<sbyte> y0 = Vector128.Load((sbyte*)(y + BlockQ8_0.Qs)), y1 = Vector128.Load((sbyte*)(y + BlockQ8_0.Qs + 16));
            bias[b] = -8 * Vector128.Sum(Vector128.WidenLower(y0) + Vector128.WidenUpper(y0) + Vector128.WidenLower(y1) + Vector128.WidenUpper(y1));
            dy[b] = Fp16.ToSingleArithmetic(*(ushort*)y) * TwoPow112;
        }
        for (int g = 0; g < groupCount; g++)
        {
            byte* q = groups + g * groupBytes;
            byte* s = q + nb * InterleavedQ4_0.BlockQuantBytes;
            Vector128<float> acc0 = default, acc1 = default;
            byte* y = a + BlockQ8_0.Qs;
            for (int b = 0; b < nb; b++, y += AB, q += InterleavedQ4_0.BlockQuantBytes, s += InterleavedQ4_0.BlockScaleBytes)
            {
                Vector128<int> bv = Vector128.Create(bias[b]);
                Vector128<int> lo0 = bv, lo1 = bv, hi0 = default, hi1 = default;
                for (int c = 0; c < 4; c++)
                {
                    Vector128<sbyte> yl = Vector128.Create(*(int*)(y + 4 * c)).AsSByte(), yh = Vector128.Create(*(int*)(y + 16 + 4 * c)).AsSByte();
                    Vector128<byte> v0 = Vector128.Load(q + 32 * c), v1 = Vector128.Load(q + 32 * c + 16);
                    lo0 = T.Dot(lo0, (v0 & Vector128.Create((byte)0x0F)).AsSByte(), yl);
                    lo1 = T.Dot(lo1, (v1 & Vector128.Create((byte)0x0F)).AsSByte(), yl);
                    hi0 = T.Dot(hi0, (v0 >>> 4).AsSByte(), yh);
                    hi1 = T.Dot(hi1, (v1 >>> 4).AsSByte(), yh);
                }
                Vector128<float> dv = Vector128.Create(dy[b]);
                Vector128<short> h = Vector128.Load((short*)s);
                Vector128<float> d0 = ScaledDownHalf(Vector128.WidenLower(h)) * dv;
                Vector128<float> d1 = ScaledDownHalf(Vector128.WidenUpper(h)) * dv;
                acc0 = Vector128.FusedMultiplyAdd(Vector128.ConvertToSingle(lo0 + hi0), d0, acc0);
                acc1 = Vector128.FusedMultiplyAdd(Vector128.ConvertToSingle(lo1 + hi1), d1, acc1);
            }
            acc0.Store(results + g * 8);
            acc1.Store(results + g * 8 + 4);
        }
    }

    /// <summary>Sign-extended half bits to half·2⁻¹¹², exactly (see <see cref="TwoPow112"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> ScaledDownHalf(Vector128<int> h) => ((h << 13) & Vector128.Create(unchecked((int)0x8FFFE000))).AsSingle();

    /// <summary>Sign-extended half bits to the float, exactly.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> Half(Vector128<int> h) => ScaledDownHalf(h) * Vector128.Create(TwoPow112);
}
