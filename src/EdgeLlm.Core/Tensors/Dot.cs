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
                return FloatDot.IsSupported ? KernelPath.FloatVector : KernelPath.Scalar;
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
        KernelPath.FloatVector => Vector256.IsHardwareAccelerated ? "vector256" : "vector",
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
                case KernelPath.FloatVector: FloatDot.Rows(type, w, rowBytes, rowCount, a, n, res); break;
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
            case GgmlType.Q4_0: Q4_0Arm.Rows<T>(w, rowBytes, rows, a, n, res); break;
            case GgmlType.Q8_0: Q8_0Arm.Rows<T>(w, rowBytes, rows, a, n, res); break;
            case GgmlType.Q4_K: Q4_KArm.Rows<T>(w, rowBytes, rows, a, n, res); break;
            case GgmlType.Q6_K: Q6_KArm.Rows<T>(w, rowBytes, rows, a, n, res); break;
            default: throw new NotSupportedException(type.ToString());
        }
    }
}
