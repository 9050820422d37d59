using EdgeLlm.Core.Tensors.Formats;

namespace EdgeLlm.Core.Tensors;

/// <summary>
/// Matrix × vector and matrix × matrix on weights regrouped into row groups, one row per vector lane
/// (<see cref="InterleavedQ4_0"/>, <see cref="InterleavedQ4_K"/>, <see cref="InterleavedQ6_K"/>): the kernels used when the model's interleaved weight
/// cache is in use. Results equal <see cref="Dot.Rows"/> on the original rows. Layouts and kernels come from the
/// type's row of <see cref="QuantTypes"/>; a type without one is refused by name (NotSupportedException).
/// </summary>
public static unsafe class InterleavedDot
{
    /// <summary>Rows per group.</summary>
    public const int GroupRows = 8;

    /// <summary>Whether this CPU has an interleaved kernel for <paramref name="weightType"/> (else the cache is not worth building).</summary>
    public static bool Supported(GgmlType weightType) => Default(weightType) != KernelPath.Scalar;

    /// <summary>Whether a rows × n matrix of <paramref name="weightType"/> has an interleaved layout.</summary>
    /// <remarks>Whole groups of rows and whole blocks of columns.</remarks>
    public static bool Fits(GgmlType weightType, int rows, int n) =>
        QuantTypes.TryGet(weightType) is { Interleaved: not null } info
        && rows > 0 && rows % GroupRows == 0 && n > 0 && n % info.BlockElements == 0;

    /// <summary>Bytes of one group of <see cref="GroupRows"/> rows of n columns.</summary>
    public static long GroupBytes(GgmlType weightType, int n) => Layout(weightType).Format.GroupBytes(n);

    /// <summary>Regroups <see cref="GroupRows"/> consecutive rows into one group.</summary>
    public static void Interleave(GgmlType weightType, ReadOnlySpan<byte> rows, int n, Span<byte> group)
    {
        if (!Fits(weightType, GroupRows, n)) throw new NotSupportedException($"no interleaved layout for {weightType} rows of {n}");
        long rowBytes = GgmlTypeInfo.RowBytes(weightType, n);
        if (rows.Length < GroupRows * rowBytes) throw new ArgumentException($"8 rows of {n} need {GroupRows * rowBytes} bytes", nameof(rows));
        if (group.Length < GroupBytes(weightType, n)) throw new ArgumentException($"a group of {n} columns needs {GroupBytes(weightType, n)} bytes", nameof(group));
        fixed (byte* src = rows)
        fixed (byte* dst = group)
            Interleave(weightType, src, (nint)rowBytes, n, dst);
    }

    /// <summary><paramref name="rowCount"/> consecutive rows (whole groups) regrouped into a new array of consecutive groups (tests, benchmarks).</summary>
    internal static byte[] Interleave(GgmlType weightType, ReadOnlySpan<byte> rows, int rowCount, int n)
    {
        long rowBytes = GgmlTypeInfo.RowBytes(weightType, n), groupBytes = GroupBytes(weightType, n);
        var groups = new byte[rowCount / GroupRows * groupBytes];
        for (int g = 0; g < rowCount / GroupRows; g++)
            Interleave(weightType, rows[(int)(g * GroupRows * rowBytes)..], n, groups.AsSpan((int)(g * groupBytes)));
        return groups;
    }

    /// <summary>The same on raw pointers, unchecked (the cache builder's loop over gigabytes); the shape must fit.</summary>
    internal static void Interleave(GgmlType weightType, byte* rows, nint rowBytes, int n, byte* group)
    {
        var (info, format) = Layout(weightType);
        format.Interleave(rows, rowBytes, n / info.BlockElements, group);
    }

    /// <summary>Whether every block scale is finite (the kernels' exact fp16 conversion does not cover inf and NaN).</summary>
    internal static bool ScalesFinite(GgmlType weightType, byte* data, long elements)
    {
        var (info, format) = Layout(weightType);
        return format.ScalesFinite(data, elements / info.BlockElements);
    }

    /// <summary>results[8g + r] = row r of group g · the activation row, for <paramref name="groupCount"/> consecutive groups.</summary>
    public static void Rows(GgmlType weightType, ReadOnlySpan<byte> groups, int groupCount, ReadOnlySpan<byte> activationRow, int n, Span<float> results) =>
        RowsWith(Default(weightType), weightType, groups, groupCount, activationRow, n, results);

    /// <summary>
    /// Whether <see cref="Tile"/> has a groups × tokens kernel here (x64: Q4_0, Q4_K, Q6_K; arm64 SDOT: Q4_0); otherwise
    /// batches go token by token through <see cref="Rows"/>.
    /// </summary>
    public static bool TileSupported(GgmlType weightType, int tokens) =>
        tokens >= 4 && QuantTypes.TryGet(weightType)?.Interleaved?.Tile.Preferred != null;

    /// <summary>Floats of <see cref="TilePrepare"/> output for a batch.</summary>
    public static int TileAuxLength(GgmlType weightType, int tokens, int n)
    {
        var (info, kernel) = TileKernel(weightType, tokens);
        return kernel.Terms.AuxLength(tokens, n / info.BlockElements);
    }

    /// <summary>Per-batch activation terms <see cref="Tile"/> needs, computed once for all groups.</summary>
    public static void TilePrepare(GgmlType weightType, ReadOnlySpan<byte> activations, int activationStride, int tokens, int n, Span<float> aux)
    {
        var (info, kernel) = TileKernel(weightType, tokens);
        CheckActivations(info, activations, activationStride, tokens, n);
        if (aux.Length < kernel.Terms.AuxLength(tokens, n / info.BlockElements)) throw new ArgumentException("aux too small", nameof(aux));
        fixed (byte* a = activations)
        fixed (float* x = aux)
            kernel.Terms.Prepare(a, activationStride, tokens, n, x);
    }

    /// <summary>
    /// results[t·resultStride + 8g + r] = row r of group g · activation row t, after <see cref="TilePrepare"/> on the same
    /// activations (aux); the prompt-batch counterpart of <see cref="Rows"/>.
    /// </summary>
    public static void Tile(GgmlType weightType, ReadOnlySpan<byte> groups, int groupCount, ReadOnlySpan<byte> activations, int activationStride,
        int tokens, int n, ReadOnlySpan<float> aux, Span<float> results, int resultStride)
    {
        var (info, kernel) = TileKernel(weightType, tokens);
        CheckGroups(weightType, groups, groupCount, n);
        CheckActivations(info, activations, activationStride, tokens, n);
        if (aux.Length < kernel.Terms.AuxLength(tokens, n / info.BlockElements)) throw new ArgumentException("aux too small", nameof(aux));
        if (groupCount == 0) return;
        if (resultStride < groupCount * GroupRows || results.Length < (long)(tokens - 1) * resultStride + groupCount * GroupRows)
            throw new ArgumentException("results too small", nameof(results));
        fixed (byte* w = groups)
        fixed (byte* a = activations)
        fixed (float* x = aux)
        fixed (float* res = results)
            kernel.Run(w, groupCount, a, activationStride, tokens, n, x, res, resultStride);
    }

    /// <summary>
    /// The instruction set of the prompt-batch tile kernels, chosen like <see cref="Default"/> among the tiles: 256-bit on
    /// x64 even where generation runs AVX-512, as there is no 512-bit tile. <see cref="KernelPath.Scalar"/> when there is none.
    /// </summary>
    internal static KernelPath TilePath(GgmlType weightType) => QuantTypes.TryGet(weightType)?.Interleaved?.Tile.Preferred ?? KernelPath.Scalar;

    /// <summary>The kernel <see cref="Rows"/> uses; <see cref="KernelPath.Scalar"/> means none (no layout, or no kernel on this CPU).</summary>
    internal static KernelPath Default(GgmlType weightType) => QuantTypes.TryGet(weightType)?.Interleaved?.Rows.Preferred ?? KernelPath.Scalar;

    internal static bool CanRun(KernelPath path, GgmlType weightType) => QuantTypes.TryGet(weightType)?.Interleaved?.Rows.CanRun(path) == true;

    internal static void RowsWith(KernelPath path, GgmlType weightType, ReadOnlySpan<byte> groups, int groupCount, ReadOnlySpan<byte> activationRow, int n, Span<float> results)
    {
        var (info, format) = Layout(weightType);
        if (!format.Rows.CanRun(path)) throw new NotSupportedException($"no interleaved {weightType} kernel [{Dot.Name(path)}] on this CPU");
        var kernel = format.Rows[path]!.Value;
        CheckGroups(weightType, groups, groupCount, n);
        CheckActivations(info, activationRow, activationRow.Length, 1, n);
        if (results.Length < groupCount * GroupRows) throw new ArgumentException($"{groupCount} groups need {groupCount * GroupRows} results", nameof(results));
        if (groupCount == 0) return;
        fixed (byte* w = groups)
        fixed (byte* a = activationRow)
        fixed (float* res = results)
            kernel.Run(w, groupCount, a, n, res);
    }

    /// <summary>The type's table row and interleaved layout; NotSupportedException naming the type when it has none.</summary>
    private static (QuantType Info, InterleavedFormat Format) Layout(GgmlType weightType) =>
        QuantTypes.TryGet(weightType) is { Interleaved: { } format } info
            ? (info, format)
            : throw new NotSupportedException($"no interleaved layout for {GgmlTypeInfo.Name(weightType)}");

    /// <summary>The tile kernel for this CPU; NotSupportedException naming the type when there is none (or too few tokens).</summary>
    private static (QuantType Info, GroupTileKernel Kernel) TileKernel(GgmlType weightType, int tokens)
    {
        var (info, format) = Layout(weightType);
        return tokens >= 4 && format.Tile.Preferred is { } path
            ? (info, format.Tile[path]!.Value)
            : throw new NotSupportedException($"no interleaved {weightType} tile kernel for {tokens} tokens on this CPU");
    }

    private static void CheckGroups(GgmlType weightType, ReadOnlySpan<byte> groups, int groupCount, int n)
    {
        if (!Fits(weightType, GroupRows, n)) throw new ArgumentException($"row length {n} is not a positive multiple of {GgmlTypeInfo.BlockSize(weightType)}", nameof(n));
        ArgumentOutOfRangeException.ThrowIfNegative(groupCount);
        if (groups.Length < groupCount * GroupBytes(weightType, n))
            throw new ArgumentException($"{groupCount} groups of {n} need {groupCount * GroupBytes(weightType, n)} bytes", nameof(groups));
    }

    private static void CheckActivations(QuantType info, ReadOnlySpan<byte> activations, int stride, int tokens, int n)
    {
        long rowBytes = GgmlTypeInfo.RowBytes(info.Activation!.Value, n);
        if (stride < rowBytes || activations.Length < (long)(tokens - 1) * stride + rowBytes) throw new ArgumentException("activations too small", nameof(activations));
    }
}
