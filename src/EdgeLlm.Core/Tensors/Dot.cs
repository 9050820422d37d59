using EdgeLlm.Core.Tensors.Arm;
using EdgeLlm.Core.Tensors.Generic;
using EdgeLlm.Core.Tensors.X86;

namespace EdgeLlm.Core.Tensors;

/// <summary>
/// Dot products of weight rows with a quantized activation row, on the fastest kernel the CPU supports: the first path of
/// <see cref="KernelPaths.Preference"/> that the type's row of <see cref="QuantTypes"/> lists and the CPU runs (settled
/// once at start-up), else the scalar reference.
/// </summary>
public static unsafe class Dot
{
    /// <summary>One weight row · the activation row; same contract as <see cref="ScalarDot.Row"/>.</summary>
    public static float Row(GgmlType weightType, ReadOnlySpan<byte> weightRow, ReadOnlySpan<byte> activationRow, int n)
    {
        var info = RowShape.WeightType(weightType);
        RowShape.Check(info, weightRow, 1, activationRow, n);
        float result;
        Run(Default(info), info, weightRow, 1, activationRow, n, new Span<float>(&result, 1));
        return result;
    }

    /// <summary>
    /// <paramref name="rowCount"/> consecutive weight rows (each <c>RowBytes(weightType, n)</c> bytes) · the activation row,
    /// into <paramref name="results"/>[0..rowCount). The matrix × vector entry: kernels take four rows per pass so each
    /// activation block is loaded once for all of them.
    /// </summary>
    public static void Rows(GgmlType weightType, ReadOnlySpan<byte> weightRows, int rowCount, ReadOnlySpan<byte> activationRow, int n, Span<float> results)
    {
        var info = RowShape.WeightType(weightType);
        RowShape.Check(info, weightRows, rowCount, activationRow, n);
        if (results.Length < rowCount) throw new ArgumentException($"{rowCount} rows need {rowCount} results, got {results.Length}", nameof(results));
        Run(Default(info), info, weightRows, rowCount, activationRow, n, results);
    }

    /// <summary>
    /// Like <see cref="Rows"/> for rows <paramref name="rowStride"/> bytes apart (e.g. one head's keys in a KV cache); results equal
    /// <see cref="Row"/> on each row.
    /// </summary>
    public static void StridedRows(GgmlType weightType, ReadOnlySpan<byte> weights, int rowStride, int rowCount, ReadOnlySpan<byte> activationRow, int n, Span<float> results)
    {
        if (rowCount == 0) return;
        var info = RowShape.WeightType(weightType);
        long rowBytes = GgmlTypeInfo.RowBytes(weightType, n);
        if (rowStride < rowBytes) throw new ArgumentException("row stride shorter than a row", nameof(rowStride));
        RowShape.Check(info, weights[..checked((int)((long)(rowCount - 1) * rowStride + rowBytes))], 1, activationRow, n);
        if (results.Length < rowCount) throw new ArgumentException($"{rowCount} rows need {rowCount} results, got {results.Length}", nameof(results));
        var path = Default(info);
        if (path is not (KernelPath.FloatVector or KernelPath.FloatVector128))
        {
            for (int r = 0; r < rowCount; r++)
                Run(path, info, weights.Slice(r * rowStride, (int)rowBytes), 1, activationRow, n, results.Slice(r, 1));
            return;
        }
        fixed (byte* w = weights)
        fixed (byte* a = activationRow)
        fixed (float* res = results)
        {
            if (path == KernelPath.FloatVector128 && weightType == GgmlType.F16 && n <= MaxStridedHalfQuery && rowStride % 2 == 0)
            {
                // The same query against every row (attention keys): converted to floats once, not once per row.
                float* query = stackalloc float[n];
                for (int i = 0; i < n; i++) query[i] = Fp16.ToSingle(((ushort*)a)[i]);
                HalfRows128.KeyDots((ushort*)w, rowStride / 2, rowCount, query, n, res);
                return;
            }
            // The float kernels take any row spacing; the integer ones above go row by row.
            info.Rows[path]!.Value.Run(w, rowStride, rowCount, a, n, res);
        }
    }

    /// <summary>Longest F16 query <see cref="StridedRows"/> converts on the stack (a head has 64-256 dimensions).</summary>
    private const int MaxStridedHalfQuery = 1024;

    /// <summary>Per-worker scratch <see cref="Tile"/> needs (the row-major Q4_0 tile on x64 sets it; arm64's Q8_0 tile needs none; another must fit).</summary>
    public const int TileScratchBytes = Q4_0TileX86.ScratchBytes;

    /// <summary>Rows per tile of <see cref="Tile"/>; row counts that are not a multiple go through <see cref="Rows"/> for the rest.</summary>
    public const int TileRows = Q4_0TileX86.Rows;

    /// <summary>Whether <see cref="Tile"/> has a rows × tokens kernel for <paramref name="weightType"/> and this many tokens.</summary>
    public static bool TileSupported(GgmlType weightType, int tokens) =>
        tokens >= 4 && QuantTypes.TryGet(weightType)?.Tile.Preferred != null;

    /// <summary>Floats of <see cref="TilePrepare"/> output for a batch.</summary>
    public static int TileAuxLength(GgmlType weightType, int tokens, int n)
    {
        var info = QuantTypes.Get(weightType);
        return TileKernel(info, tokens).Terms.AuxLength(tokens, n / info.BlockElements);
    }

    /// <summary>Per-batch activation data <see cref="Tile"/> needs (scales and block sums), computed once for all rows.</summary>
    public static void TilePrepare(GgmlType weightType, ReadOnlySpan<byte> activations, int activationStride, int tokens, int n, Span<float> aux)
    {
        var info = QuantTypes.Get(weightType);
        var kernel = TileKernel(info, tokens);
        CheckTile(info, activations, activationStride, tokens, n);
        if (aux.Length < kernel.Terms.AuxLength(tokens, n / info.BlockElements)) throw new ArgumentException("aux too small", nameof(aux));
        fixed (byte* a = activations)
        fixed (float* x = aux)
            kernel.Terms.Prepare(a, activationStride, tokens, n, x);
    }

    /// <summary>
    /// results[t·resultStride + r] = weight row r · activation row t, for <paramref name="rowCount"/> rows and
    /// <paramref name="tokens"/> activation rows <paramref name="activationStride"/> bytes apart; the matrix × matrix entry for
    /// prompt batches (see <see cref="TileSupported"/>), after <see cref="TilePrepare"/> on the same activations.
    /// </summary>
    public static void Tile(GgmlType weightType, ReadOnlySpan<byte> weightRows, int rowCount, ReadOnlySpan<byte> activations, int activationStride,
        int tokens, int n, ReadOnlySpan<float> aux, Span<float> results, int resultStride, Span<byte> scratch)
    {
        var info = QuantTypes.Get(weightType);
        var kernel = TileKernel(info, tokens);
        CheckTile(info, activations, activationStride, tokens, n);
        RowShape.Check(info, weightRows, rowCount, activations, n);
        if (aux.Length < kernel.Terms.AuxLength(tokens, n / info.BlockElements)) throw new ArgumentException("aux too small", nameof(aux));
        if (scratch.Length < TileScratchBytes) throw new ArgumentException("scratch too small", nameof(scratch));
        if (rowCount == 0) return;
        if (results.Length < (long)(tokens - 1) * resultStride + rowCount || resultStride < rowCount)
            throw new ArgumentException("results too small", nameof(results));
        int tiled = rowCount / TileRows * TileRows;
        nint rowBytes = (nint)GgmlTypeInfo.RowBytes(weightType, n);
        fixed (byte* w = weightRows)
        fixed (byte* a = activations)
        fixed (float* x = aux)
        fixed (float* res = results)
        fixed (byte* s = scratch)
        {
            if (tiled > 0) kernel.Run(w, rowBytes, tiled, a, activationStride, tokens, n, x, res, resultStride, s);
            var path = Default(info);
            for (int t = 0; t < tokens && tiled < rowCount; t++)
                Run(path, info, weightRows[(int)(tiled * rowBytes)..], rowCount - tiled, activations.Slice(t * activationStride), n,
                    results.Slice(t * resultStride + tiled, rowCount - tiled));
        }
    }

    /// <summary>The tile kernel for this CPU; NotSupportedException naming the type when there is none (or too few tokens).</summary>
    private static RowTileKernel TileKernel(QuantType info, int tokens) =>
        tokens >= 4 && info.Tile.Preferred is { } path
            ? info.Tile[path]!.Value
            : throw new NotSupportedException($"no {info.Type} tile kernel for {tokens} tokens on this CPU");

    private static void CheckTile(QuantType info, ReadOnlySpan<byte> activations, int activationStride, int tokens, int n)
    {
        if (n <= 0 || n % info.BlockElements != 0)
            throw new ArgumentException($"row length {n} is not a positive multiple of {info.BlockElements}", nameof(n));
        long rowBytes = GgmlTypeInfo.RowBytes(info.Activation!.Value, n);
        if (activationStride < rowBytes || activations.Length < (long)(tokens - 1) * activationStride + rowBytes)
            throw new ArgumentException("activations too small", nameof(activations));
    }

    /// <summary>The kernel <see cref="Rows"/> uses for <paramref name="weightType"/> on this CPU.</summary>
    internal static KernelPath Default(GgmlType weightType) => Default(QuantTypes.Get(weightType));

    private static KernelPath Default(QuantType info) => info.Rows.Preferred ?? KernelPath.Scalar;

    /// <summary>Whether <paramref name="path"/> has a kernel for <paramref name="weightType"/> and this CPU can run it.</summary>
    internal static bool CanRun(KernelPath path, GgmlType weightType) =>
        QuantTypes.TryGet(weightType) is { IsWeight: true } info && (path == KernelPath.Scalar || info.Rows.CanRun(path));

    /// <summary>Short name of a path for logs and self-test names.</summary>
    internal static string Name(KernelPath path) => path switch
    {
        KernelPath.Scalar => "scalar",
        KernelPath.Avx2 => Avx2IntDot.Name,
        KernelPath.AvxVnni => VnniIntDot.Name,
        KernelPath.Avx512 => "avx512",
        KernelPath.NeonDot => SdotArm.Name,
        KernelPath.Neon => WideningArm.Name,
        KernelPath.NeonEmulated => EmulatedSdot.Name,
        KernelPath.FloatVector => "vector256",
        KernelPath.FloatVector128 => "vector128",
        _ => path.ToString(),
    };

    /// <summary>Runs a specific path (tests use this to cover every kernel, not only the one <see cref="Default"/> picks).</summary>
    internal static void RowsWith(KernelPath path, GgmlType weightType, ReadOnlySpan<byte> weightRows, int rowCount, ReadOnlySpan<byte> activationRow, int n, Span<float> results)
    {
        var info = RowShape.WeightType(weightType);
        RowShape.Check(info, weightRows, rowCount, activationRow, n);
        if (results.Length < rowCount) throw new ArgumentException($"{rowCount} rows need {rowCount} results, got {results.Length}", nameof(results));
        if (!CanRun(path, weightType)) throw new NotSupportedException($"{Name(path)} has no {weightType} kernel on this CPU");
        Run(path, info, weightRows, rowCount, activationRow, n, results);
    }

    private static void Run(KernelPath path, QuantType info, ReadOnlySpan<byte> weightRows, int rowCount, ReadOnlySpan<byte> activationRow, int n, Span<float> results)
    {
        if (rowCount == 0) return;
        nint rowBytes = (nint)((long)n / info.BlockElements * info.BlockBytes);
        if (path == KernelPath.Scalar)
        {
            for (int r = 0; r < rowCount; r++)
                results[r] = ScalarDot.Row(info.Type, weightRows.Slice((int)(r * rowBytes), (int)rowBytes), activationRow, n);
            return;
        }
        var kernel = info.Rows[path] ?? throw new NotSupportedException($"{Name(path)} has no {info.Type} kernel");
        fixed (byte* w = weightRows)
        fixed (byte* a = activationRow)
        fixed (float* res = results)
            kernel.Run(w, rowBytes, rowCount, a, n, res);
    }
}
