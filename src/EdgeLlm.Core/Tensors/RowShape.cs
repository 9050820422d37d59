namespace EdgeLlm.Core.Tensors;

/// <summary>Argument checks shared by the public row entry points, so kernels can index without bounds checks.</summary>
internal static class RowShape
{
    public static void Check(GgmlType weightType, ReadOnlySpan<byte> weightRow, ReadOnlySpan<byte> activationRow, int n) =>
        Check(weightType, weightRow, 1, activationRow, n);

    public static void Check(GgmlType weightType, ReadOnlySpan<byte> weightRows, int rowCount, ReadOnlySpan<byte> activationRow, int n) =>
        Check(WeightType(weightType), weightRows, rowCount, activationRow, n);

    /// <summary>The table row of a type that can be the weights of a dot product; NotSupportedException otherwise.</summary>
    public static QuantType WeightType(GgmlType weightType) =>
        QuantTypes.TryGet(weightType) is { IsWeight: true } info
            ? info
            : throw new NotSupportedException($"no dot product for weight type {GgmlTypeInfo.Name(weightType)}");

    public static void Check(QuantType weights, ReadOnlySpan<byte> weightRows, int rowCount, ReadOnlySpan<byte> activationRow, int n)
    {
        int block = weights.BlockElements;
        if (n <= 0 || n % block != 0)
            throw new ArgumentException($"row length {n} is not a positive multiple of the {weights.Type} block size {block}", nameof(n));
        ArgumentOutOfRangeException.ThrowIfNegative(rowCount);
        long wBytes = (long)n / block * weights.BlockBytes * rowCount;
        GgmlType activation = weights.Activation!.Value;
        long aBytes = GgmlTypeInfo.RowBytes(activation, n);
        if (weightRows.Length < wBytes)
            throw new ArgumentException($"{rowCount} {weights.Type} row(s) of {n} need {wBytes} bytes, got {weightRows.Length}", "weightRows");
        if (activationRow.Length < aBytes)
            throw new ArgumentException($"a {activation} row of {n} needs {aBytes} bytes, got {activationRow.Length}", nameof(activationRow));
    }
}
