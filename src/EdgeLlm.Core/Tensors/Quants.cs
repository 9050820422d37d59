using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using EdgeLlm.Core.Tensors.Formats;
using EdgeLlm.Core.Tensors.Generic;
using EdgeLlm.Core.Tensors.X86;

namespace EdgeLlm.Core.Tensors;

/// <summary>Row-level (de)quantization of ggml block formats.</summary>
public static class Quants
{
    /// <summary>The type ggml quantizes activations to before a dot product with <paramref name="weightType"/> (its vec_dot_type).</summary>
    public static GgmlType ActivationType(GgmlType weightType) => weightType switch
    {
        GgmlType.F32 => GgmlType.F32,
        GgmlType.F16 => GgmlType.F16,
        GgmlType.BF16 => GgmlType.BF16,
        GgmlType.Q4_0 or GgmlType.Q5_0 or GgmlType.Q8_0 => GgmlType.Q8_0,
        GgmlType.Q4_1 or GgmlType.Q5_1 => GgmlType.Q8_1,
        GgmlType.Q2_K or GgmlType.Q3_K or GgmlType.Q4_K or GgmlType.Q5_K or GgmlType.Q6_K => GgmlType.Q8_K,
        _ => throw new NotSupportedException($"no activation type for weight type {GgmlTypeInfo.Name(weightType)}"),
    };

    /// <summary>Expands <paramref name="dst"/>.Length elements (whole blocks) of <paramref name="type"/> to floats, exactly as ggml's dequantize_row_*.</summary>
    public static void DequantizeRow(GgmlType type, ReadOnlySpan<byte> src, Span<float> dst)
    {
        int n = dst.Length;
        int block = GgmlTypeInfo.BlockSize(type), bytes = GgmlTypeInfo.BlockBytes(type);
        if (n % block != 0) throw new ArgumentException($"{n} elements is not a whole number of {type} blocks ({block})", nameof(dst));
        int blocks = n / block;
        if (src.Length < (long)blocks * bytes) throw new ArgumentException($"{n} {type} elements need {(long)blocks * bytes} bytes, got {src.Length}", nameof(src));

        switch (type)
        {
            case GgmlType.F32:
                MemoryMarshal.Cast<byte, float>(src)[..n].CopyTo(dst);
                return;
            case GgmlType.F16:
            {
                var h = MemoryMarshal.Cast<byte, ushort>(src);
                for (int i = 0; i < n; i++) dst[i] = Fp16.ToSingle(h[i]);
                return;
            }
            case GgmlType.BF16:
            {
                var h = MemoryMarshal.Cast<byte, ushort>(src);
                for (int i = 0; i < n; i++) dst[i] = Bf16.ToSingle(h[i]);
                return;
            }
        }

        BlockDecoder decode = type switch
        {
            GgmlType.Q4_0 => BlockQ4_0.Dequantize,
            GgmlType.Q4_1 => BlockQ4_1.Dequantize,
            GgmlType.Q5_0 => BlockQ5_0.Dequantize,
            GgmlType.Q5_1 => BlockQ5_1.Dequantize,
            GgmlType.Q8_0 => BlockQ8_0.Dequantize,
            GgmlType.Q8_1 => BlockQ8_1.Dequantize,
            GgmlType.Q2_K => BlockQ2_K.Dequantize,
            GgmlType.Q3_K => BlockQ3_K.Dequantize,
            GgmlType.Q4_K => BlockQ4_K.Dequantize,
            GgmlType.Q5_K => BlockQ5_K.Dequantize,
            GgmlType.Q6_K => BlockQ6_K.Dequantize,
            GgmlType.Q8_K => BlockQ8_K.Dequantize,
            _ => throw new NotSupportedException($"cannot dequantize {GgmlTypeInfo.Name(type)}"),
        };
        for (int i = 0; i < blocks; i++) decode(src.Slice(i * bytes, bytes), dst.Slice(i * block, block));
    }

    private delegate void BlockDecoder(ReadOnlySpan<byte> block, Span<float> values);

    /// <summary>
    /// Quantizes a float row to an activation type (Q8_0, Q8_1, Q8_K, F16, BF16, or F32 = copy), numerically as ggml's CPU
    /// quantize_row_* for that type. Uses the SIMD version where one exists; it is bit-identical to <see cref="QuantizeRowScalar"/>.
    /// </summary>
    /// <remarks>
    /// Q8_0/Q8_1 rounding: ggml's reference C rounds half away from zero (roundf) but both of its SIMD CPU paths round half to
    /// even (x86 _mm256_round_ps, ARM vcvtnq). We round half to even, with id = 1/(amax/127) as the reference and the ARM path
    /// compute it, so we are bit-identical to llama.cpp on arm64 (the deployment target). llama.cpp's x86 path takes
    /// id = 127/amax, which can differ from 1/(amax/127) in the last bit and so flip a rare exact tie. Q8_K: ggml has one
    /// (scalar) definition everywhere and it rounds half to even; we match it exactly.
    /// </remarks>
    public static void QuantizeRow(GgmlType type, ReadOnlySpan<float> src, Span<byte> dst)
    {
        CheckQuantizeArgs(type, src, dst);
        if (type == GgmlType.Q8_0 && Avx2.IsSupported) { QuantizeX86.Q8_0(src, dst); return; }
        if (type == GgmlType.Q8_K && Avx2.IsSupported) { QuantizeX86.Q8_K(src, dst); return; }
        // arm64 (128-bit NEON registers only): the portable 128-bit quantizers.
        if (type == GgmlType.Q8_0 && Quantize128.IsSupported) { Quantize128.Q8_0(src, dst); return; }
        if (type == GgmlType.Q8_K && Quantize128.IsSupported) { Quantize128.Q8_K(src, dst); return; }
        QuantizeRowScalarUnchecked(type, src, dst);
    }

    /// <summary>The Q8_0/Q8_K quantizer <see cref="QuantizeRow"/> runs on this CPU (for self-test names).</summary>
    public static string QuantizePath => Avx2.IsSupported ? "avx2" : Quantize128.IsSupported ? "vector128" : "scalar";

    /// <summary>The scalar definition of <see cref="QuantizeRow"/> (the SIMD versions are checked against this).</summary>
    public static void QuantizeRowScalar(GgmlType type, ReadOnlySpan<float> src, Span<byte> dst)
    {
        CheckQuantizeArgs(type, src, dst);
        QuantizeRowScalarUnchecked(type, src, dst);
    }

    private static void QuantizeRowScalarUnchecked(GgmlType type, ReadOnlySpan<float> src, Span<byte> dst)
    {
        int n = src.Length;
        switch (type)
        {
            case GgmlType.F32:
                src.CopyTo(MemoryMarshal.Cast<byte, float>(dst));
                return;
            case GgmlType.F16:
            {
                var h = MemoryMarshal.Cast<byte, ushort>(dst);
                for (int i = 0; i < n; i++) h[i] = Fp16.FromSingle(src[i]);
                return;
            }
            case GgmlType.BF16:
            {
                var h = MemoryMarshal.Cast<byte, ushort>(dst);
                for (int i = 0; i < n; i++) h[i] = Bf16.FromSingle(src[i]);
                return;
            }
            case GgmlType.Q8_0:
                for (int i = 0; i < n / 32; i++) BlockQ8_0.Quantize(src.Slice(32 * i, 32), dst.Slice(i * BlockQ8_0.Bytes, BlockQ8_0.Bytes));
                return;
            case GgmlType.Q8_1:
                for (int i = 0; i < n / 32; i++) BlockQ8_1.Quantize(src.Slice(32 * i, 32), dst.Slice(i * BlockQ8_1.Bytes, BlockQ8_1.Bytes));
                return;
            case GgmlType.Q8_K:
                for (int i = 0; i < n / 256; i++) BlockQ8_K.Quantize(src.Slice(256 * i, 256), dst.Slice(i * BlockQ8_K.Bytes, BlockQ8_K.Bytes));
                return;
        }
    }

    private static void CheckQuantizeArgs(GgmlType type, ReadOnlySpan<float> src, Span<byte> dst)
    {
        if (type is not (GgmlType.Q8_0 or GgmlType.Q8_1 or GgmlType.Q8_K or GgmlType.F16 or GgmlType.BF16 or GgmlType.F32))
            throw new NotSupportedException($"quantizing to {GgmlTypeInfo.Name(type)} is not supported (activation types only)");
        int block = GgmlTypeInfo.BlockSize(type);
        if (src.Length % block != 0) throw new ArgumentException($"{src.Length} elements is not a whole number of {type} blocks ({block})", nameof(src));
        long need = GgmlTypeInfo.RowBytes(type, src.Length);
        if (dst.Length < need) throw new ArgumentException($"{src.Length} elements of {type} need {need} bytes, got {dst.Length}", nameof(dst));
    }
}
