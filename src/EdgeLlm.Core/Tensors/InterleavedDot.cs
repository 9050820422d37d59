using EdgeLlm.Core.Tensors.Arm;
using EdgeLlm.Core.Tensors.Formats;
using EdgeLlm.Core.Tensors.X86;

namespace EdgeLlm.Core.Tensors;

/// <summary>
/// Matrix × vector and matrix × matrix on weights regrouped into row groups, one row per vector lane
/// (<see cref="InterleavedQ4_0"/>, <see cref="InterleavedQ4_K"/>, <see cref="InterleavedQ6_K"/>): the kernels used when the model's interleaved weight
/// cache is in use. Results equal <see cref="Dot.Rows"/> on the original rows.
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
        weightType is GgmlType.Q4_0 or GgmlType.Q4_K or GgmlType.Q6_K
        && rows > 0 && rows % GroupRows == 0 && n > 0 && n % GgmlTypeInfo.BlockSize(weightType) == 0;

    /// <summary>Bytes of one group of <see cref="GroupRows"/> rows of n columns.</summary>
    public static long GroupBytes(GgmlType weightType, int n) => weightType switch
    {
        GgmlType.Q4_0 => InterleavedQ4_0.GroupBytes(n),
        GgmlType.Q4_K => InterleavedQ4_K.GroupBytes(n),
        GgmlType.Q6_K => InterleavedQ6_K.GroupBytes(n),
        _ => throw new NotSupportedException($"no interleaved layout for {weightType}"),
    };

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
        if (weightType == GgmlType.Q4_0) InterleavedQ4_0.Interleave(rows, rowBytes, n / BlockQ4_0.Elements, group);
        else if (weightType == GgmlType.Q4_K) InterleavedQ4_K.Interleave(rows, rowBytes, n / BlockQ4_K.Elements, group);
        else InterleavedQ6_K.Interleave(rows, rowBytes, n / BlockQ6_K.Elements, group);
    }

    /// <summary>Whether every block scale is finite (the kernels' exact fp16 conversion does not cover inf and NaN).</summary>
    internal static bool ScalesFinite(GgmlType weightType, byte* data, long elements) => weightType switch
    {
        GgmlType.Q4_0 => InterleavedQ4_0.ScalesFinite(data, elements / BlockQ4_0.Elements),
        GgmlType.Q4_K => InterleavedQ4_K.ScalesFinite(data, elements / BlockQ4_K.Elements),
        GgmlType.Q6_K => InterleavedQ6_K.ScalesFinite(data, elements / BlockQ6_K.Elements),
        _ => false,
    };

    /// <summary>results[8g + r] = row r of group g · the activation row, for <paramref name="groupCount"/> consecutive groups.</summary>
    public static void Rows(GgmlType weightType, ReadOnlySpan<byte> groups, int groupCount, ReadOnlySpan<byte> activationRow, int n, Span<float> results) =>
        RowsWith(Default(weightType), weightType, groups, groupCount, activationRow, n, results);

    /// <summary>
    /// Whether <see cref="Tile"/> has a groups × tokens kernel here (x64: Q4_0, Q4_K, Q6_K; arm64 SDOT: Q4_0); otherwise
    /// batches go token by token through <see cref="Rows"/>.
    /// </summary>
    public static bool TileSupported(GgmlType weightType, int tokens) => tokens >= 4 && Default(weightType) switch
    {
        KernelPath.AvxVnni or KernelPath.Avx2 or KernelPath.Avx512 => weightType is GgmlType.Q4_0 or GgmlType.Q4_K or GgmlType.Q6_K,
        KernelPath.NeonDot => weightType == GgmlType.Q4_0,
        _ => false,
    };

    /// <summary>Floats of <see cref="TilePrepare"/> output for a batch.</summary>
    public static int TileAuxLength(GgmlType weightType, int tokens, int n) => weightType switch
    {
        GgmlType.Q4_0 => Dot.TileAuxLength(weightType, tokens, n),
        GgmlType.Q4_K => tokens * (n / BlockQ4_K.Elements) * InterleavedQ4_KX86.AuxPerBlock,
        _ => tokens * (n / BlockQ6_K.Elements) * InterleavedQ6_KX86.AuxPerBlock,
    };

    /// <summary>Per-batch activation terms <see cref="Tile"/> needs, computed once for all groups.</summary>
    public static void TilePrepare(GgmlType weightType, ReadOnlySpan<byte> activations, int activationStride, int tokens, int n, Span<float> aux)
    {
        if (!TileSupported(weightType, tokens)) throw new NotSupportedException($"no interleaved {weightType} tile kernel for {tokens} tokens on this CPU");
        if (weightType == GgmlType.Q4_0 && Default(weightType) != KernelPath.NeonDot)
        {
            Dot.TilePrepare(weightType, activations, activationStride, tokens, n, aux);
            return;
        }
        CheckActivations(weightType, activations, activationStride, tokens, n);
        if (aux.Length < TileAuxLength(weightType, tokens, n)) throw new ArgumentException("aux too small", nameof(aux));
        fixed (byte* a = activations)
        fixed (float* x = aux)
        {
            if (weightType == GgmlType.Q4_0) InterleavedQ4_0Arm.Prepare(a, activationStride, tokens, n, x);
            else if (weightType == GgmlType.Q4_K) InterleavedQ4_KX86.Prepare(a, activationStride, tokens, n, x);
            else InterleavedQ6_KX86.Prepare(a, activationStride, tokens, n, x);
        }
    }

    /// <summary>
    /// results[t·resultStride + 8g + r] = row r of group g · activation row t, after <see cref="TilePrepare"/> on the same
    /// activations (aux); the prompt-batch counterpart of <see cref="Rows"/>.
    /// </summary>
    public static void Tile(GgmlType weightType, ReadOnlySpan<byte> groups, int groupCount, ReadOnlySpan<byte> activations, int activationStride,
        int tokens, int n, ReadOnlySpan<float> aux, Span<float> results, int resultStride)
    {
        if (!TileSupported(weightType, tokens)) throw new NotSupportedException($"no interleaved {weightType} tile kernel for {tokens} tokens on this CPU");
        CheckGroups(weightType, groups, groupCount, n);
        CheckActivations(weightType, activations, activationStride, tokens, n);
        if (aux.Length < TileAuxLength(weightType, tokens, n)) throw new ArgumentException("aux too small", nameof(aux));
        if (groupCount == 0) return;
        if (resultStride < groupCount * GroupRows || results.Length < (long)(tokens - 1) * resultStride + groupCount * GroupRows)
            throw new ArgumentException("results too small", nameof(results));
        bool vnni = TilePath(weightType) == KernelPath.AvxVnni;
        fixed (byte* w = groups)
        fixed (byte* a = activations)
        fixed (float* x = aux)
        fixed (float* res = results)
        {
            if (Default(weightType) == KernelPath.NeonDot)
                InterleavedQ4_0Arm.Tile<SdotArm>(w, groupCount, a, activationStride, tokens, n, x, res, resultStride);
            else if (weightType == GgmlType.Q4_0)
            {
                if (vnni) InterleavedQ4_0X86.Tile<VnniIntDot>(w, groupCount, a, activationStride, tokens, n, x, res, resultStride);
                else InterleavedQ4_0X86.Tile<Avx2IntDot>(w, groupCount, a, activationStride, tokens, n, x, res, resultStride);
            }
            else if (weightType == GgmlType.Q4_K)
            {
                if (vnni) InterleavedQ4_KX86.Tile<VnniIntDot>(w, groupCount, a, activationStride, tokens, n, x, res, resultStride);
                else InterleavedQ4_KX86.Tile<Avx2IntDot>(w, groupCount, a, activationStride, tokens, n, x, res, resultStride);
            }
            else
            {
                if (vnni) InterleavedQ6_KX86.Tile<VnniIntDot>(w, groupCount, a, activationStride, tokens, n, x, res, resultStride);
                else InterleavedQ6_KX86.Tile<Avx2IntDot>(w, groupCount, a, activationStride, tokens, n, x, res, resultStride);
            }
        }
    }

    /// <summary>The instruction set of the prompt-batch tile kernels: 256-bit on x64 even where generation runs AVX-512.</summary>
    internal static KernelPath TilePath(GgmlType weightType) => Default(weightType) == KernelPath.Avx512 ? KernelPath.Avx2 : Default(weightType);

    internal static KernelPath Default(GgmlType weightType)
    {
        if (weightType is not (GgmlType.Q4_0 or GgmlType.Q4_K or GgmlType.Q6_K)) return KernelPath.Scalar;
        if (VnniIntDot.IsSupported) return KernelPath.AvxVnni;
        // Without AVX-VNNI (AMD's AVX-512 cores have only the 512-bit VNNI, which .NET does not expose), the 512-bit kernels
        // read Q4_0 and Q6_K from memory faster than the 256-bit ones (bench --kernels, "from memory").
        if (weightType is GgmlType.Q4_0 or GgmlType.Q6_K && CanRun(KernelPath.Avx512, weightType)) return KernelPath.Avx512;
        if (Avx2IntDot.IsSupported) return KernelPath.Avx2;
        if (SdotArm.IsSupported) return KernelPath.NeonDot;
        return KernelPath.Scalar;
    }

    internal static bool CanRun(KernelPath path, GgmlType weightType) => weightType is GgmlType.Q4_0 or GgmlType.Q4_K or GgmlType.Q6_K && path switch
    {
        KernelPath.AvxVnni => VnniIntDot.IsSupported,
        KernelPath.Avx2 => Avx2IntDot.IsSupported,
        KernelPath.Avx512 => weightType == GgmlType.Q4_0 ? InterleavedQ4_0Avx512.IsSupported
            : weightType == GgmlType.Q6_K && InterleavedQ6_KAvx512.IsSupported,
        KernelPath.NeonDot => SdotArm.IsSupported,
        KernelPath.NeonEmulated => true,
        _ => false,
    };

    internal static void RowsWith(KernelPath path, GgmlType weightType, ReadOnlySpan<byte> groups, int groupCount, ReadOnlySpan<byte> activationRow, int n, Span<float> results)
    {
        if (!CanRun(path, weightType)) throw new NotSupportedException($"no interleaved {weightType} kernel [{Dot.Name(path)}] on this CPU");
        CheckGroups(weightType, groups, groupCount, n);
        CheckActivations(weightType, activationRow, activationRow.Length, 1, n);
        if (results.Length < groupCount * GroupRows) throw new ArgumentException($"{groupCount} groups need {groupCount * GroupRows} results", nameof(results));
        if (groupCount == 0) return;
        fixed (byte* w = groups)
        fixed (byte* a = activationRow)
        fixed (float* res = results)
        {
            switch (path, weightType)
            {
                case (KernelPath.AvxVnni, GgmlType.Q4_0): InterleavedQ4_0X86.Rows<VnniIntDot>(w, groupCount, a, n, res); break;
                case (KernelPath.AvxVnni, GgmlType.Q4_K): InterleavedQ4_KX86.Rows<VnniIntDot>(w, groupCount, a, n, res); break;
                case (KernelPath.AvxVnni, _): InterleavedQ6_KX86.Rows<VnniIntDot>(w, groupCount, a, n, res); break;
                case (KernelPath.Avx512, GgmlType.Q4_0): InterleavedQ4_0Avx512.Rows(w, groupCount, a, n, res); break;
                case (KernelPath.Avx512, _): InterleavedQ6_KAvx512.Rows(w, groupCount, a, n, res); break;
                case (KernelPath.Avx2, GgmlType.Q4_0): InterleavedQ4_0X86.Rows<Avx2IntDot>(w, groupCount, a, n, res); break;
                case (KernelPath.Avx2, GgmlType.Q4_K): InterleavedQ4_KX86.Rows<Avx2IntDot>(w, groupCount, a, n, res); break;
                case (KernelPath.Avx2, _): InterleavedQ6_KX86.Rows<Avx2IntDot>(w, groupCount, a, n, res); break;
                case (KernelPath.NeonDot, GgmlType.Q4_0): InterleavedQ4_0Arm.Rows<SdotArm>(w, groupCount, a, n, res); break;
                case (KernelPath.NeonDot, GgmlType.Q4_K): InterleavedQ4_KArm.Rows<SdotArm>(w, groupCount, a, n, res); break;
                case (KernelPath.NeonDot, _): InterleavedQ6_KArm.Rows<SdotArm>(w, groupCount, a, n, res); break;
                case (KernelPath.NeonEmulated, GgmlType.Q4_0): InterleavedQ4_0Arm.Rows<EmulatedSdot>(w, groupCount, a, n, res); break;
                case (KernelPath.NeonEmulated, GgmlType.Q4_K): InterleavedQ4_KArm.Rows<EmulatedSdot>(w, groupCount, a, n, res); break;
                case (KernelPath.NeonEmulated, _): InterleavedQ6_KArm.Rows<EmulatedSdot>(w, groupCount, a, n, res); break;
            }
        }
    }

    private static int BlockSize(GgmlType weightType) => GgmlTypeInfo.BlockSize(weightType);

    private static void CheckGroups(GgmlType weightType, ReadOnlySpan<byte> groups, int groupCount, int n)
    {
        if (!Fits(weightType, GroupRows, n)) throw new ArgumentException($"row length {n} is not a positive multiple of {BlockSize(weightType)}", nameof(n));
        ArgumentOutOfRangeException.ThrowIfNegative(groupCount);
        if (groups.Length < groupCount * GroupBytes(weightType, n))
            throw new ArgumentException($"{groupCount} groups of {n} need {groupCount * GroupBytes(weightType, n)} bytes", nameof(groups));
    }

    private static void CheckActivations(GgmlType weightType, ReadOnlySpan<byte> activations, int stride, int tokens, int n)
    {
        long rowBytes = GgmlTypeInfo.RowBytes(Quants.ActivationType(weightType), n);
        if (stride < rowBytes || activations.Length < (long)(tokens - 1) * stride + rowBytes) throw new ArgumentException("activations too small", nameof(activations));
    }
}
