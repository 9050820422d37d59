using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using EdgeLlm.Core.Tensors.Arm;
using EdgeLlm.Core.Tensors.Generic;
using EdgeLlm.Core.Tensors.X86;

namespace EdgeLlm.Core.Tensors;

/// <summary>
/// Dot products of weight rows with a quantized activation row, on the fastest kernel the CPU supports (chosen per call
/// from IsSupported flags, which the JIT and NativeAOT fold to constants).
/// </summary>
public static unsafe class Dot
{
    /// <summary>One weight row · the activation row; same contract as <see cref="ScalarDot.Row"/>.</summary>
    public static float Row(GgmlType weightType, ReadOnlySpan<byte> weightRow, ReadOnlySpan<byte> activationRow, int n)
    {
        RowShape.Check(weightType, weightRow, activationRow, n);
        float result;
        Run(Default(weightType), weightType, weightRow, 1, activationRow, n, new Span<float>(&result, 1));
        return result;
    }

    /// <summary>
    /// <paramref name="rowCount"/> consecutive weight rows (each <c>RowBytes(weightType, n)</c> bytes) · the activation row,
    /// into <paramref name="results"/>[0..rowCount). The matrix × vector entry: kernels take four rows per pass so each
    /// activation block is loaded once for all of them.
    /// </summary>
    public static void Rows(GgmlType weightType, ReadOnlySpan<byte> weightRows, int rowCount, ReadOnlySpan<byte> activationRow, int n, Span<float> results)
    {
        RowShape.Check(weightType, weightRows, rowCount, activationRow, n);
        if (results.Length < rowCount) throw new ArgumentException($"{rowCount} rows need {rowCount} results, got {results.Length}", nameof(results));
        Run(Default(weightType), weightType, weightRows, rowCount, activationRow, n, results);
    }

    /// <summary>
    /// Like <see cref="Rows"/> for rows <paramref name="rowStride"/> bytes apart (e.g. one head's keys in a KV cache); results equal
    /// <see cref="Row"/> on each row.
    /// </summary>
    public static void StridedRows(GgmlType weightType, ReadOnlySpan<byte> weights, int rowStride, int rowCount, ReadOnlySpan<byte> activationRow, int n, Span<float> results)
    {
        if (rowCount == 0) return;
        long rowBytes = GgmlTypeInfo.RowBytes(weightType, n);
        if (rowStride < rowBytes) throw new ArgumentException("row stride shorter than a row", nameof(rowStride));
        RowShape.Check(weightType, weights[..checked((int)((long)(rowCount - 1) * rowStride + rowBytes))], 1, activationRow, n);
        if (results.Length < rowCount) throw new ArgumentException($"{rowCount} rows need {rowCount} results, got {results.Length}", nameof(results));
        var path = Default(weightType);
        if (path is not (KernelPath.FloatVector or KernelPath.FloatVector128))
        {
            for (int r = 0; r < rowCount; r++)
                Run(path, weightType, weights.Slice(r * rowStride, (int)rowBytes), 1, activationRow, n, results.Slice(r, 1));
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
            if (path == KernelPath.FloatVector) FloatRows.Run<FloatDot>(weightType, w, rowStride, rowCount, a, n, res);
            else FloatRows.Run<FloatDot128>(weightType, w, rowStride, rowCount, a, n, res);
        }
    }

    /// <summary>Longest F16 query <see cref="StridedRows"/> converts on the stack (a head has 64-256 dimensions).</summary>
    private const int MaxStridedHalfQuery = 1024;

    /// <summary>Per-worker scratch <see cref="Tile"/> needs.</summary>
    public const int TileScratchBytes = Q4_0TileX86.ScratchBytes;

    /// <summary>Rows per tile of <see cref="Tile"/>; row counts that are not a multiple go through <see cref="Rows"/> for the rest.</summary>
    public const int TileRows = Q4_0TileX86.Rows;

    /// <summary>Whether <see cref="Tile"/> has a rows × tokens kernel for <paramref name="weightType"/> and this many tokens.</summary>
    public static bool TileSupported(GgmlType weightType, int tokens) =>
        tokens >= 4 && weightType == GgmlType.Q4_0 && (VnniIntDot.IsSupported || Avx2IntDot.IsSupported);

    /// <summary>Floats of <see cref="TilePrepare"/> output for a batch.</summary>
    public static int TileAuxLength(GgmlType weightType, int tokens, int n) => 2 * tokens * (n / GgmlTypeInfo.BlockSize(weightType));

    /// <summary>Per-batch activation data <see cref="Tile"/> needs (scales and block sums), computed once for all rows.</summary>
    public static void TilePrepare(GgmlType weightType, ReadOnlySpan<byte> activations, int activationStride, int tokens, int n, Span<float> aux)
    {
        CheckTile(weightType, tokens, activations, activationStride, n);
        if (aux.Length < TileAuxLength(weightType, tokens, n)) throw new ArgumentException("aux too small", nameof(aux));
        fixed (byte* a = activations)
        fixed (float* x = aux)
            Q4_0TileX86.Prepare(a, activationStride, tokens, n, x);
    }

    /// <summary>
    /// results[t·resultStride + r] = weight row r · activation row t, for <paramref name="rowCount"/> rows and
    /// <paramref name="tokens"/> activation rows <paramref name="activationStride"/> bytes apart; the matrix × matrix entry for
    /// prompt batches (see <see cref="TileSupported"/>), after <see cref="TilePrepare"/> on the same activations.
    /// </summary>
    public static void Tile(GgmlType weightType, ReadOnlySpan<byte> weightRows, int rowCount, ReadOnlySpan<byte> activations, int activationStride,
        int tokens, int n, ReadOnlySpan<float> aux, Span<float> results, int resultStride, Span<byte> scratch)
    {
        CheckTile(weightType, tokens, activations, activationStride, n);
        RowShape.Check(weightType, weightRows, rowCount, activations, n);
        if (aux.Length < TileAuxLength(weightType, tokens, n)) throw new ArgumentException("aux too small", nameof(aux));
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
            if (tiled > 0)
            {
                if (VnniIntDot.IsSupported) Q4_0TileX86.Run<VnniIntDot>(w, rowBytes, tiled, a, activationStride, tokens, n, x, res, resultStride, s);
                else Q4_0TileX86.Run<Avx2IntDot>(w, rowBytes, tiled, a, activationStride, tokens, n, x, res, resultStride, s);
            }
            var path = Default(weightType);
            for (int t = 0; t < tokens && tiled < rowCount; t++)
                Run(path, weightType, weightRows[(int)(tiled * rowBytes)..], rowCount - tiled, activations.Slice(t * activationStride), n,
                    results.Slice(t * resultStride + tiled, rowCount - tiled));
        }
    }

    private static void CheckTile(GgmlType weightType, int tokens, ReadOnlySpan<byte> activations, int activationStride, int n)
    {
        if (!TileSupported(weightType, tokens)) throw new NotSupportedException($"no {weightType} tile kernel for {tokens} tokens on this CPU");
        if (n <= 0 || n % 32 != 0) throw new ArgumentException($"row length {n} is not a positive multiple of 32", nameof(n));
        long need = (long)(tokens - 1) * activationStride + GgmlTypeInfo.RowBytes(Quants.ActivationType(weightType), n);
        if (activationStride < GgmlTypeInfo.RowBytes(Quants.ActivationType(weightType), n) || activations.Length < need)
            throw new ArgumentException("activations too small", nameof(activations));
    }

    /// <summary>The kernel <see cref="Rows"/> uses for <paramref name="weightType"/> on this CPU.</summary>
    internal static KernelPath Default(GgmlType weightType)
    {
        switch (weightType)
        {
            case GgmlType.Q4_0 or GgmlType.Q8_0:
                if (VnniIntDot.IsSupported) return KernelPath.AvxVnni;
                if (Avx512BW.IsSupported && Fma.IsSupported) return KernelPath.Avx512;
                if (Avx2IntDot.IsSupported) return KernelPath.Avx2;
                if (SdotArm.IsSupported) return KernelPath.NeonDot;
                if (WideningArm.IsSupported) return KernelPath.Neon;
                return KernelPath.Scalar;
            case GgmlType.Q4_K or GgmlType.Q6_K:
                if (VnniIntDot.IsSupported) return KernelPath.AvxVnni;
                if (Avx2IntDot.IsSupported) return KernelPath.Avx2;
                if (SdotArm.IsSupported) return KernelPath.NeonDot;
                if (WideningArm.IsSupported) return KernelPath.Neon;
                return KernelPath.Scalar;
            case GgmlType.F32 or GgmlType.F16 or GgmlType.BF16:
                // 256-bit where it is hardware (x64); arm64 has 128-bit registers only, and Vector256 would be emulated there.
                return FloatDot.IsSupported ? KernelPath.FloatVector : FloatDot128.IsSupported ? KernelPath.FloatVector128 : KernelPath.Scalar;
            default:
                return KernelPath.Scalar;
        }
    }

    /// <summary>Whether <paramref name="path"/> has a kernel for <paramref name="weightType"/> and this CPU can run it.</summary>
    internal static bool CanRun(KernelPath path, GgmlType weightType)
    {
        bool intType = weightType is GgmlType.Q4_0 or GgmlType.Q8_0 or GgmlType.Q4_K or GgmlType.Q6_K;
        return path switch
        {
            KernelPath.Scalar => true,
            KernelPath.Avx2 => intType && Avx2IntDot.IsSupported,
            KernelPath.AvxVnni => intType && VnniIntDot.IsSupported,
            KernelPath.Avx512 => weightType is GgmlType.Q4_0 or GgmlType.Q8_0 && Avx512BW.IsSupported && Avx2IntDot.IsSupported,
            KernelPath.NeonDot => intType && SdotArm.IsSupported,
            KernelPath.Neon => intType && WideningArm.IsSupported,
            KernelPath.NeonEmulated => intType,
            KernelPath.FloatVector => weightType is GgmlType.F32 or GgmlType.F16 or GgmlType.BF16 && FloatDot.IsSupported,
            KernelPath.FloatVector128 => weightType is GgmlType.F32 or GgmlType.F16 or GgmlType.BF16 && FloatDot128.IsSupported,
            _ => false,
        };
    }

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
        RowShape.Check(weightType, weightRows, rowCount, activationRow, n);
        if (results.Length < rowCount) throw new ArgumentException($"{rowCount} rows need {rowCount} results, got {results.Length}", nameof(results));
        if (!CanRun(path, weightType)) throw new NotSupportedException($"{Name(path)} has no {weightType} kernel on this CPU");
        Run(path, weightType, weightRows, rowCount, activationRow, n, results);
    }

    private static void Run(KernelPath path, GgmlType type, ReadOnlySpan<byte> weightRows, int rowCount, ReadOnlySpan<byte> activationRow, int n, Span<float> results)
    {
        if (rowCount == 0) return;
        nint rowBytes = (nint)GgmlTypeInfo.RowBytes(type, n);
        if (path == KernelPath.Scalar)
        {
            for (int r = 0; r < rowCount; r++)
                results[r] = ScalarDot.Row(type, weightRows.Slice((int)(r * rowBytes), (int)rowBytes), activationRow, n);
            return;
        }
        fixed (byte* w = weightRows)
        fixed (byte* a = activationRow)
        fixed (float* res = results)
        {
            switch (path)
            {
                case KernelPath.Avx2: X86Kernels<Avx2IntDot>(type, w, rowBytes, rowCount, a, n, res); break;
                case KernelPath.AvxVnni: X86Kernels<VnniIntDot>(type, w, rowBytes, rowCount, a, n, res); break;
                case KernelPath.Avx512:
                    if (type == GgmlType.Q4_0) Q4_0X86.Rows512(w, rowBytes, rowCount, a, n, res);
                    else Q8_0X86.Rows512(w, rowBytes, rowCount, a, n, res);
                    break;
                case KernelPath.NeonDot: ArmKernels<SdotArm>(type, w, rowBytes, rowCount, a, n, res); break;
                case KernelPath.Neon: ArmKernels<WideningArm>(type, w, rowBytes, rowCount, a, n, res); break;
                case KernelPath.NeonEmulated: ArmKernels<EmulatedSdot>(type, w, rowBytes, rowCount, a, n, res); break;
                case KernelPath.FloatVector: FloatRows.Run<FloatDot>(type, w, rowBytes, rowCount, a, n, res); break;
                case KernelPath.FloatVector128: FloatRows.Run<FloatDot128>(type, w, rowBytes, rowCount, a, n, res); break;
                default: throw new NotSupportedException(path.ToString());
            }
        }
    }

    private static void X86Kernels<T>(GgmlType type, byte* w, nint rowBytes, int rows, byte* a, int n, float* res) where T : struct, IX86IntDot
    {
        switch (type)
        {
            case GgmlType.Q4_0: Q4_0X86.Rows<T>(w, rowBytes, rows, a, n, res); break;
            case GgmlType.Q8_0: Q8_0X86.Rows<T>(w, rowBytes, rows, a, n, res); break;
            case GgmlType.Q4_K: Q4_KX86.Rows<T>(w, rowBytes, rows, a, n, res); break;
            case GgmlType.Q6_K: Q6_KX86.Rows<T>(w, rowBytes, rows, a, n, res); break;
            default: throw new NotSupportedException(type.ToString());
        }
    }

    private static void ArmKernels<T>(GgmlType type, byte* w, nint rowBytes, int rows, byte* a, int n, float* res) where T : struct, IArmIntDot
    {
        switch (type)
        {
            // Without SDOT (Cortex-A72) the widening kernels that share a block's work between four rows.
            case GgmlType.Q4_0 when typeof(T) == typeof(WideningArm): Q4_0WideArm.Rows(w, rowBytes, rows, a, n, res); break;
            case GgmlType.Q4_0: Q4_0Arm.Rows<T>(w, rowBytes, rows, a, n, res); break;
            case GgmlType.Q8_0: Q8_0Arm.Rows<T>(w, rowBytes, rows, a, n, res); break;
            case GgmlType.Q4_K when typeof(T) == typeof(WideningArm): Q4_KWideArm.Rows(w, rowBytes, rows, a, n, res); break;
            case GgmlType.Q4_K: Q4_KArm.Rows<T>(w, rowBytes, rows, a, n, res); break;
            case GgmlType.Q6_K when typeof(T) == typeof(WideningArm): Q6_KWideArm.Rows(w, rowBytes, rows, a, n, res); break;
            case GgmlType.Q6_K: Q6_KArm.Rows<T>(w, rowBytes, rows, a, n, res); break;
            default: throw new NotSupportedException(type.ToString());
        }
    }
}
