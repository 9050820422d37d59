using System.Runtime.Intrinsics;

namespace EdgeLlm.Core.Tensors.Generic;

/// <summary>
/// F32/F16/BF16 row dots with portable 128-bit vectors: the float path of arm64, where <see cref="Vector256"/> is not
/// hardware-accelerated (it would be emulated lane by lane). Same arithmetic as <see cref="FloatDot"/>: float products
/// fused into float accumulators (four, to hide the FMA latency), one horizontal sum at the end.
/// </summary>
internal readonly unsafe struct FloatDot128 : IFloatDot
{
    public static bool IsSupported => Vector128.IsHardwareAccelerated;

    public static float F32(float* x, float* y, int n)
    {
        Vector128<float> s0 = default, s1 = default, s2 = default, s3 = default;
        int i = 0;
        for (; i + 16 <= n; i += 16)
        {
            s0 = Vector128.FusedMultiplyAdd(Vector128.Load(x + i), Vector128.Load(y + i), s0);
            s1 = Vector128.FusedMultiplyAdd(Vector128.Load(x + i + 4), Vector128.Load(y + i + 4), s1);
            s2 = Vector128.FusedMultiplyAdd(Vector128.Load(x + i + 8), Vector128.Load(y + i + 8), s2);
            s3 = Vector128.FusedMultiplyAdd(Vector128.Load(x + i + 12), Vector128.Load(y + i + 12), s3);
        }
        for (; i + 4 <= n; i += 4)
            s0 = Vector128.FusedMultiplyAdd(Vector128.Load(x + i), Vector128.Load(y + i), s0);
        float sum = Vector128.Sum((s0 + s1) + (s2 + s3));
        for (; i < n; i++) sum += x[i] * y[i];
        return sum;
    }

    public static float F16(ushort* x, ushort* y, int n)
    {
        Vector128<float> s0 = default, s1 = default, s2 = default, s3 = default;
        int i = 0;
        for (; i + 16 <= n; i += 16)
        {
            Vector128<ushort> x0 = Vector128.Load(x + i), y0 = Vector128.Load(y + i);
            Vector128<ushort> x1 = Vector128.Load(x + i + 8), y1 = Vector128.Load(y + i + 8);
            s0 = Vector128.FusedMultiplyAdd(Fp16.ToSingleLower(x0), Fp16.ToSingleLower(y0), s0);
            s1 = Vector128.FusedMultiplyAdd(Fp16.ToSingleUpper(x0), Fp16.ToSingleUpper(y0), s1);
            s2 = Vector128.FusedMultiplyAdd(Fp16.ToSingleLower(x1), Fp16.ToSingleLower(y1), s2);
            s3 = Vector128.FusedMultiplyAdd(Fp16.ToSingleUpper(x1), Fp16.ToSingleUpper(y1), s3);
        }
        float sum = Vector128.Sum((s0 + s1) + (s2 + s3));
        for (; i < n; i++) sum += Fp16.ToSingle(x[i]) * Fp16.ToSingle(y[i]);
        return sum;
    }

    public static float BF16(ushort* x, ushort* y, int n)
    {
        Vector128<float> s0 = default, s1 = default;
        int i = 0;
        for (; i + 8 <= n; i += 8)
        {
            Vector128<ushort> xv = Vector128.Load(x + i), yv = Vector128.Load(y + i);
            s0 = Vector128.FusedMultiplyAdd((Vector128.WidenLower(xv) << 16).AsSingle(), (Vector128.WidenLower(yv) << 16).AsSingle(), s0);
            s1 = Vector128.FusedMultiplyAdd((Vector128.WidenUpper(xv) << 16).AsSingle(), (Vector128.WidenUpper(yv) << 16).AsSingle(), s1);
        }
        float sum = Vector128.Sum(s0 + s1);
        for (; i < n; i++) sum += Bf16.ToSingle(x[i]) * Bf16.ToSingle(y[i]);
        return sum;
    }
}
