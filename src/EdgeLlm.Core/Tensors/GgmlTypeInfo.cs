namespace EdgeLlm.Core.Tensors;

/// <summary>Block geometry of the ggml types this engine can read.</summary>
/// <remarks>
/// Types known to ggml but not listed here (the IQ and ternary families) are recognised by name
/// so that the error message can say which type a file uses, but they are refused.
/// </remarks>
public static class GgmlTypeInfo
{
    /// <summary>Number of elements per quantization block (1 for plain float types).</summary>
    public static int BlockSize(GgmlType type) => type switch
    {
        GgmlType.F32 or GgmlType.F16 or GgmlType.BF16 => 1,
        GgmlType.Q4_0 or GgmlType.Q4_1 or GgmlType.Q5_0 or GgmlType.Q5_1 or GgmlType.Q8_0 or GgmlType.Q8_1 => 32,
        GgmlType.Q2_K or GgmlType.Q3_K or GgmlType.Q4_K or GgmlType.Q5_K or GgmlType.Q6_K or GgmlType.Q8_K => 256,
        _ => throw Unsupported(type),
    };

    /// <summary>Bytes per block.</summary>
    public static int BlockBytes(GgmlType type) => type switch
    {
        GgmlType.F32 => 4,
        GgmlType.F16 or GgmlType.BF16 => 2,
        GgmlType.Q4_0 => 2 + 16,
        GgmlType.Q4_1 => 2 + 2 + 16,
        GgmlType.Q5_0 => 2 + 4 + 16,
        GgmlType.Q5_1 => 2 + 2 + 4 + 16,
        GgmlType.Q8_0 => 2 + 32,
        GgmlType.Q8_1 => 2 + 2 + 32,
        GgmlType.Q2_K => 16 + 64 + 2 + 2,
        GgmlType.Q3_K => 32 + 64 + 12 + 2,
        GgmlType.Q4_K => 2 + 2 + 12 + 128,
        GgmlType.Q5_K => 2 + 2 + 12 + 32 + 128,
        GgmlType.Q6_K => 128 + 64 + 16 + 2,
        GgmlType.Q8_K => 4 + 256 + 32,
        _ => throw Unsupported(type),
    };

    public static bool IsSupported(GgmlType type) => type switch
    {
        GgmlType.F32 or GgmlType.F16 or GgmlType.BF16 or
        GgmlType.Q4_0 or GgmlType.Q4_1 or GgmlType.Q5_0 or GgmlType.Q5_1 or GgmlType.Q8_0 or GgmlType.Q8_1 or
        GgmlType.Q2_K or GgmlType.Q3_K or GgmlType.Q4_K or GgmlType.Q5_K or GgmlType.Q6_K or GgmlType.Q8_K => true,
        _ => false,
    };

    /// <summary>The type's ggml name, or "type N" for a number ggml never defined.</summary>
    public static string Name(GgmlType type) =>
        Enum.IsDefined(type) ? type.ToString() : $"type {(uint)type}";

    /// <summary>Bytes of one row of <paramref name="elements"/> values; the count must be a whole number of blocks.</summary>
    public static long RowBytes(GgmlType type, long elements) => elements / BlockSize(type) * BlockBytes(type);

    private static NotSupportedException Unsupported(GgmlType type) =>
        new(Enum.IsDefined(type)
            ? $"ggml type {type} ({(uint)type}) is not supported"
            : $"unknown ggml type {(uint)type}");
}
