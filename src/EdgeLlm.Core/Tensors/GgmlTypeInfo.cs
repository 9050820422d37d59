namespace EdgeLlm.Core.Tensors;

/// <summary>Block geometry of the ggml types this engine can read (the rows of <see cref="QuantTypes"/>).</summary>
/// <remarks>
/// Types known to ggml but not in the table (the IQ and ternary families) are recognised by name
/// so that the error message can say which type a file uses, but they are refused.
/// </remarks>
public static class GgmlTypeInfo
{
    /// <summary>Number of elements per quantization block (1 for plain float types).</summary>
    public static int BlockSize(GgmlType type) => QuantTypes.Get(type).BlockElements;

    /// <summary>Bytes per block.</summary>
    public static int BlockBytes(GgmlType type) => QuantTypes.Get(type).BlockBytes;

    public static bool IsSupported(GgmlType type) => QuantTypes.TryGet(type) != null;

    /// <summary>The type's ggml name, or "type N" for a number ggml never defined.</summary>
    public static string Name(GgmlType type) =>
        Enum.IsDefined(type) ? type.ToString() : $"type {(uint)type}";

    /// <summary>Bytes of one row of <paramref name="elements"/> values; the count must be a whole number of blocks.</summary>
    public static long RowBytes(GgmlType type, long elements)
    {
        var info = QuantTypes.Get(type);
        return elements / info.BlockElements * info.BlockBytes;
    }
}
