using System.Runtime.Intrinsics;

namespace EdgeLlm.Core.Tensors.Generic;

/// <summary>F32/F16/BF16 row dots with portable 256-bit vectors: float products accumulated in float (four accumulators).</summary>
/// <remarks>ggml's SIMD paths also accumulate in float; only its generic C sums in double. Results agree with the scalar reference to float rounding.</remarks>
internal readonly unsafe struct FloatDot : IFloatDot
{
    public static bool IsSupported => Vector256.IsHardwareAccelerated;

    public static float F32(float* x, float* y, int n)
    {
        Vector256<float> s0 = default, s1 = default;
        int i = 0;
        for (; i + 16 <= n; i += 16)
        {
            s0 = Vector256.FusedMultiplyAdd(Vector256.Load(x + i), Vector256.Load(y + i), s0);
            s1 = Vector256.FusedMultiplyAdd(Vector256.Load(x + i + 8), Vector256.Load(y + i + 8), s1);
        }
        float sum = Vector256.Sum(s0 + s1);
        for (; i < n; i++) sum += x[i] * y[i];
        return sum;
    }

    public static float F16(ushort* x, ushort* y, int n)
    {
        Vector256<float> s0 = default, s1 = default;
        int i = 0;
        for (; i + 16 <= n; i += 16)
        {
            s0 = Vector256.FusedMultiplyAdd(Fp16.ToSingle(Vector128.Load(x + i)), Fp16.ToSingle(Vector128.Load(y + i)), s0);
            s1 = Vector256.FusedMultiplyAdd(Fp16.ToSingle(Vector128.Load(x + i + 8)), Fp16.ToSingle(Vector128.Load(y + i + 8)), s1);
        }
        float sum = Vector256.Sum(s0 + s1);
        for (; i < n; i++) sum += Fp16.ToSingle(x[i]) * Fp16.ToSingle(y[i]);
        return sum;
    }

    public static float BF16(ushort* x, ushort* y, int n)
    {
        Vector256<float> s0 = default;
        int i = 0;
        for (; i + 8 <= n; i += 8)
        {
            Vector256<float> a = (Vector256.WidenLower(Vector256.Create(Vector128.Load(x + i), default)) << 16).AsSingle();
            Vector256<float> b = (Vector256.WidenLower(Vector256.Create(Vector128.Load(y + i), default)) << 16).AsSingle();
            s0 = Vector256.FusedMultiplyAdd(a, b, s0);
        }
        float sum = Vector256.Sum(s0);
        for (; i < n; i++) sum += Bf16.ToSingle(x[i]) * Bf16.ToSingle(y[i]);
        return sum;
    }
}
