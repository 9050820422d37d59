using EdgeLlm.Core.Tensors.Arm;
using EdgeLlm.Core.Tensors.Formats;
using EdgeLlm.Core.Tensors.X86;

namespace EdgeLlm.Core.Tensors;

/// <summary>
/// Matrix × vector on weights regrouped into row groups (<see cref="InterleavedQ4_0"/>): the generation kernels when the
/// model's interleaved weight cache is in use. Results equal <see cref="Dot.Rows"/> on the original rows.
/// </summary>
public static unsafe class InterleavedDot
{
    /// <summary>Rows per group.</summary>
    public const int GroupRows = InterleavedQ4_0.GroupRows;

    /// <summary>Whether this CPU has an interleaved kernel for <paramref name="weightType"/> (else the cache is not worth building).</summary>
    public static bool Supported(GgmlType weightType) => Default(weightType) != KernelPath.Scalar;

    /// <summary>Whether a rows × n matrix of <paramref name="weightType"/> can be interleaved.</summary>
    public static bool Fits(GgmlType weightType, int rows, int n) => weightType == GgmlType.Q4_0 && InterleavedQ4_0.Fits(rows, n);

    /// <summary>Bytes of one group of <see cref="GroupRows"/> rows of n columns (the same as the rows).</summary>
    public static long GroupBytes(GgmlType weightType, int n) =>
        weightType == GgmlType.Q4_0 ? InterleavedQ4_0.GroupBytes(n) : throw new NotSupportedException($"no interleaved layout for {weightType}");

    /// <summary>Regroups <see cref="GroupRows"/> consecutive rows into one group.</summary>
    public static void Interleave(GgmlType weightType, ReadOnlySpan<byte> rows, int n, Span<byte> group)
    {
        if (!Fits(weightType, GroupRows, n)) throw new NotSupportedException($"no interleaved layout for {weightType} rows of {n}");
        InterleavedQ4_0.Interleave(rows, n, group);
    }

    /// <summary>results[8g + r] = row r of group g · the activation row, for <paramref name="groupCount"/> consecutive groups.</summary>
    public static void Rows(GgmlType weightType, ReadOnlySpan<byte> groups, int groupCount, ReadOnlySpan<byte> activationRow, int n, Span<float> results) =>
        RowsWith(Default(weightType), weightType, groups, groupCount, activationRow, n, results);

    /// <summary>Whether <see cref="Tile"/> has a groups × tokens kernel here (x64); otherwise batches go token by token through <see cref="Rows"/>.</summary>
    public static bool TileSupported(GgmlType weightType, int tokens) =>
        Dot.TileSupported(weightType, tokens) && Default(weightType) is KernelPath.AvxVnni or KernelPath.Avx2;

    /// <summary>
    /// results[t·resultStride + 8g + r] = row r of group g · activation row t, after <see cref="Dot.TilePrepare"/> on the
    /// same activations (aux); the prompt-batch counterpart of <see cref="Rows"/>.
    /// </summary>
    public static void Tile(GgmlType weightType, ReadOnlySpan<byte> groups, int groupCount, ReadOnlySpan<byte> activations, int activationStride,
        int tokens, int n, ReadOnlySpan<float> aux, Span<float> results, int resultStride)
    {
        if (!TileSupported(weightType, tokens)) throw new NotSupportedException($"no interleaved {weightType} tile kernel for {tokens} tokens on this CPU");
        if (!Fits(weightType, GroupRows, n)) throw new ArgumentException($"row length {n} is not a positive multiple of 32", nameof(n));
        ArgumentOutOfRangeException.ThrowIfNegative(groupCount);
        if (groups.Length < groupCount * GroupBytes(weightType, n)) throw new ArgumentException($"{groupCount} groups of {n} need {groupCount * GroupBytes(weightType, n)} bytes", nameof(groups));
        long actBytes = GgmlTypeInfo.RowBytes(GgmlType.Q8_0, n);
        if (activationStride < actBytes || activations.Length < (long)(tokens - 1) * activationStride + actBytes) throw new ArgumentException("activations too small", nameof(activations));
        if (aux.Length < Dot.TileAuxLength(weightType, tokens, n)) throw new ArgumentException("aux too small", nameof(aux));
        if (groupCount == 0) return;
        if (resultStride < groupCount * GroupRows || results.Length < (long)(tokens - 1) * resultStride + groupCount * GroupRows)
            throw new ArgumentException("results too small", nameof(results));
        fixed (byte* w = groups)
        fixed (byte* a = activations)
        fixed (float* x = aux)
        fixed (float* res = results)
        {
            if (Default(weightType) == KernelPath.AvxVnni) InterleavedQ4_0X86.Tile<VnniIntDot>(w, groupCount, a, activationStride, tokens, n, x, res, resultStride);
            else InterleavedQ4_0X86.Tile<Avx2IntDot>(w, groupCount, a, activationStride, tokens, n, x, res, resultStride);
        }
    }

    internal static KernelPath Default(GgmlType weightType)
    {
        if (weightType != GgmlType.Q4_0) return KernelPath.Scalar;
        if (VnniIntDot.IsSupported) return KernelPath.AvxVnni;
        if (Avx2IntDot.IsSupported) return KernelPath.Avx2;
        if (SdotArm.IsSupported) return KernelPath.NeonDot;
        return KernelPath.Scalar;
    }

    internal static bool CanRun(KernelPath path, GgmlType weightType) => weightType == GgmlType.Q4_0 && path switch
    {
        KernelPath.AvxVnni => VnniIntDot.IsSupported,
        KernelPath.Avx2 => Avx2IntDot.IsSupported,
        KernelPath.NeonDot => SdotArm.IsSupported,
        KernelPath.NeonEmulated => true,
        _ => false,
    };

    internal static void RowsWith(KernelPath path, GgmlType weightType, ReadOnlySpan<byte> groups, int groupCount, ReadOnlySpan<byte> activationRow, int n, Span<float> results)
    {
        if (!CanRun(path, weightType)) throw new NotSupportedException($"no interleaved {weightType} kernel [{Dot.Name(path)}] on this CPU");
        if (!Fits(weightType, GroupRows, n)) throw new ArgumentException($"row length {n} is not a positive multiple of 32", nameof(n));
        ArgumentOutOfRangeException.ThrowIfNegative(groupCount);
        if (groups.Length < groupCount * GroupBytes(weightType, n)) throw new ArgumentException($"{groupCount} groups of {n} need {groupCount * GroupBytes(weightType, n)} bytes", nameof(groups));
        if (activationRow.Length < GgmlTypeInfo.RowBytes(GgmlType.Q8_0, n)) throw new ArgumentException("activation row too short", nameof(activationRow));
        if (results.Length < groupCount * GroupRows) throw new ArgumentException($"{groupCount} groups need {groupCount * GroupRows} results", nameof(results));
        if (groupCount == 0) return;
        fixed (byte* w = groups)
        fixed (byte* a = activationRow)
        fixed (float* res = results)
        {
            switch (path)
            {
                case KernelPath.AvxVnni: InterleavedQ4_0X86.Rows<VnniIntDot>(w, groupCount, a, n, res); break;
                case KernelPath.Avx2: InterleavedQ4_0X86.Rows<Avx2IntDot>(w, groupCount, a, n, res); break;
                case KernelPath.NeonDot: InterleavedQ4_0Arm.Rows<SdotArm>(w, groupCount, a, n, res); break;
                case KernelPath.NeonEmulated: InterleavedQ4_0Arm.Rows<EmulatedSdot>(w, groupCount, a, n, res); break;
            }
        }
    }
}
