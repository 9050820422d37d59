namespace EdgeLlm.Core.Tensors;

/// <summary>Argument checks shared by the public row entry points, so kernels can index without bounds checks.</summary>
internal static class RowShape
{
    public static void Check(GgmlType weightType, ReadOnlySpan<byte> weightRow, ReadOnlySpan<byte> activationRow, int n) =>
        Check(weightType, weightRow, 1, activationRow, n);

    public static void Check(GgmlType weightType, ReadOnlySpan<byte> weightRows, int rowCount, ReadOnlySpan<byte> activationRow, int n)
    {
        if (!GgmlTypeInfo.IsSupported(weightType) || weightType is GgmlType.Q8_1 or GgmlType.Q8_K)
            throw new NotSupportedException($"no dot product for weight type {GgmlTypeInfo.Name(weightType)}");
        int block = GgmlTypeInfo.BlockSize(weightType);
        if (n <= 0 || n % block != 0)
            throw new ArgumentException($"row length {n} is not a positive multiple of the {weightType} block size {block}", nameof(n));
        ArgumentOutOfRangeException.ThrowIfNegative(rowCount);
        long wBytes = GgmlTypeInfo.RowBytes(weightType, n) * rowCount;
        long aBytes = GgmlTypeInfo.RowBytes(Quants.ActivationType(weightType), n);
        if (weightRows.Length < wBytes)
            throw new ArgumentException($"{rowCount} {weightType} row(s) of {n} need {wBytes} bytes, got {weightRows.Length}", "weightRows");
        if (activationRow.Length < aBytes)
            throw new ArgumentException($"a {Quants.ActivationType(weightType)} row of {n} needs {aBytes} bytes, got {activationRow.Length}", nameof(activationRow));
    }
}
