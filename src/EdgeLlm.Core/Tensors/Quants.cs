namespace EdgeLlm.Core.Tensors;

/// <summary>Row-level (de)quantization of ggml block formats.</summary>
public static class Quants
{
    /// <summary>The type ggml quantizes activations to before a dot product with <paramref name="weightType"/> (its vec_dot_type).</summary>
    public static GgmlType ActivationType(GgmlType weightType) =>
        QuantTypes.TryGet(weightType)?.Activation
        ?? throw new NotSupportedException($"no activation type for weight type {GgmlTypeInfo.Name(weightType)}");

    /// <summary>Expands <paramref name="dst"/>.Length elements (whole blocks) of <paramref name="type"/> to floats, exactly as ggml's dequantize_row_*.</summary>
    public static unsafe void DequantizeRow(GgmlType type, ReadOnlySpan<byte> src, Span<float> dst)
    {
        var info = QuantTypes.Get(type);
        int n = dst.Length;
        int block = info.BlockElements, bytes = info.BlockBytes;
        if (n % block != 0) throw new ArgumentException($"{n} elements is not a whole number of {type} blocks ({block})", nameof(dst));
        int blocks = n / block;
        if (src.Length < (long)blocks * bytes) throw new ArgumentException($"{n} {type} elements need {(long)blocks * bytes} bytes, got {src.Length}", nameof(src));

        if (info.DequantizeRun != null)
        {
            info.DequantizeRun(src, dst);
            return;
        }
        for (int i = 0; i < blocks; i++) info.DequantizeBlock(src.Slice(i * bytes, bytes), dst.Slice(i * block, block));
    }

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
        var info = CheckQuantizeArgs(type, src, dst);
        if (info.Quantize.Preferred is { } path) info.Quantize[path]!.Value.Run(src, dst);
        else QuantizeRowScalarUnchecked(info, src, dst);
    }

    /// <summary>The Q8_0/Q8_K quantizer <see cref="QuantizeRow"/> runs on this CPU (for self-test names).</summary>
    public static string QuantizePath =>
        QuantTypes.Get(GgmlType.Q8_0).Quantize.Preferred is { } path ? Dot.Name(path) : Dot.Name(KernelPath.Scalar);

    /// <summary>The scalar definition of <see cref="QuantizeRow"/> (the SIMD versions are checked against this).</summary>
    public static void QuantizeRowScalar(GgmlType type, ReadOnlySpan<float> src, Span<byte> dst) =>
        QuantizeRowScalarUnchecked(CheckQuantizeArgs(type, src, dst), src, dst);

    private static unsafe void QuantizeRowScalarUnchecked(QuantType info, ReadOnlySpan<float> src, Span<byte> dst)
    {
        if (info.QuantizeRun != null)
        {
            info.QuantizeRun(src, dst);
            return;
        }
        int block = info.BlockElements, bytes = info.BlockBytes;
        for (int i = 0; i < src.Length / block; i++) info.QuantizeBlock(src.Slice(i * block, block), dst.Slice(i * bytes, bytes));
    }

    private static QuantType CheckQuantizeArgs(GgmlType type, ReadOnlySpan<float> src, Span<byte> dst)
    {
        if (QuantTypes.TryGet(type) is not { IsActivation: true } info)
            throw new NotSupportedException($"quantizing to {GgmlTypeInfo.Name(type)} is not supported (activation types only)");
        int block = info.BlockElements;
        if (src.Length % block != 0) throw new ArgumentException($"{src.Length} elements is not a whole number of {type} blocks ({block})", nameof(src));
        long need = GgmlTypeInfo.RowBytes(type, src.Length);
        if (dst.Length < need) throw new ArgumentException($"{src.Length} elements of {type} need {need} bytes, got {dst.Length}", nameof(dst));
        return info;
    }
}
