using System.Runtime.InteropServices;
using EdgeLlm.Core.Tensors.Arm;
using EdgeLlm.Core.Tensors.Formats;
using EdgeLlm.Core.Tensors.Generic;
using EdgeLlm.Core.Tensors.X86;

namespace EdgeLlm.Core.Tensors;

/// <summary>
/// The per-type table: one <see cref="QuantType"/> row per ggml type this engine reads, with its block geometry, the type
/// its dot products quantize activations to, its codecs, and the kernels each <see cref="KernelPath"/> has for it.
/// <see cref="GgmlTypeInfo"/>, <see cref="Quants"/>, <see cref="ScalarDot"/>, <see cref="Dot"/> and <see cref="InterleavedDot"/>
/// read this and keep no per-type switches of their own, so a new quant type is one row here plus its kernels, and a type
/// or path a row does not list is refused (NotSupportedException), never run on another type's kernel.
/// </summary>
/// <remarks>
/// Kernels are function pointers to the struct-strategy generics instantiated per instruction set
/// (<c>&amp;Q4_0X86.Rows&lt;VnniIntDot&gt;</c>): each instantiation is compiled and devirtualized exactly as when a switch
/// called it, and the dispatch costs one indirect call per kernel call (a block of rows, a batch), none per block.
/// </remarks>
internal static unsafe class QuantTypes
{
    private static readonly QuantType?[] ByType = Build(
    [
        // Plain floats: a "block" is one element; the codecs convert whole rows.
        new(GgmlType.F32, 1, sizeof(float))
        {
            Activation = GgmlType.F32, ScalarDot = &ScalarDot.F32,
            DequantizeRun = &FloatCodecs.F32ToSingle, QuantizeRun = &FloatCodecs.SingleToF32,
            Rows = new() { [KernelPath.FloatVector] = new(&FloatRows.F32<FloatDot>), [KernelPath.FloatVector128] = new(&FloatRows.F32<FloatDot128>) },
        },
        new(GgmlType.F16, 1, sizeof(ushort))
        {
            Activation = GgmlType.F16, ScalarDot = &ScalarDot.F16,
            DequantizeRun = &FloatCodecs.F16ToSingle, QuantizeRun = &FloatCodecs.SingleToF16,
            Rows = new() { [KernelPath.FloatVector] = new(&FloatRows.F16<FloatDot>), [KernelPath.FloatVector128] = new(&FloatRows.F16<FloatDot128>) },
        },
        new(GgmlType.BF16, 1, sizeof(ushort))
        {
            Activation = GgmlType.BF16, ScalarDot = &ScalarDot.BF16,
            DequantizeRun = &FloatCodecs.BF16ToSingle, QuantizeRun = &FloatCodecs.SingleToBF16,
            Rows = new() { [KernelPath.FloatVector] = new(&FloatRows.BF16<FloatDot>), [KernelPath.FloatVector128] = new(&FloatRows.BF16<FloatDot128>) },
        },

        // 32-element blocks.
        new(GgmlType.Q4_0, BlockQ4_0.Elements, BlockQ4_0.Bytes)
        {
            Activation = GgmlType.Q8_0, ScalarDot = &ScalarDot.Q4_0, DequantizeBlock = &BlockQ4_0.Dequantize,
            Rows = new()
            {
                [KernelPath.AvxVnni] = new(&Q4_0X86.Rows<VnniIntDot>),
                [KernelPath.Avx512] = new(&Q4_0X86.Rows512),
                [KernelPath.Avx2] = new(&Q4_0X86.Rows<Avx2IntDot>),
                [KernelPath.NeonDot] = new(&Q4_0Arm.Rows<SdotArm>),
                [KernelPath.Neon] = new(&Q4_0WideArm.Rows), // Cortex-A72: a block's work shared between four rows
                [KernelPath.NeonEmulated] = new(&Q4_0Arm.Rows<EmulatedSdot>),
            },
            // Aux per block: the token's d, then −8·Σy as an int (Q4_0TileX86.Prepare).
            Tile = new()
            {
                [KernelPath.AvxVnni] = new(&Q4_0TileX86.Prepare, 2, &Q4_0TileX86.Run<VnniIntDot>),
                [KernelPath.Avx2] = new(&Q4_0TileX86.Prepare, 2, &Q4_0TileX86.Run<Avx2IntDot>),
            },
            Interleaved = new(&InterleavedQ4_0.GroupBytes, &InterleavedQ4_0.Interleave, &InterleavedQ4_0.ScalesFinite)
            {
                Rows = new()
                {
                    [KernelPath.AvxVnni] = new(&InterleavedQ4_0X86.Rows<VnniIntDot>),
                    [KernelPath.Avx512] = new(&InterleavedQ4_0Avx512.Rows),
                    [KernelPath.Avx2] = new(&InterleavedQ4_0X86.Rows<Avx2IntDot>),
                    [KernelPath.NeonDot] = new(&InterleavedQ4_0Arm.Rows<SdotArm>),
                    [KernelPath.NeonEmulated] = new(&InterleavedQ4_0Arm.Rows<EmulatedSdot>),
                },
                // The x64 tiles share the row-major tile's activation terms; arm64's are its own (with four-token packs).
                Tile = new()
                {
                    [KernelPath.AvxVnni] = new(&Q4_0TileX86.Prepare, 2, &InterleavedQ4_0X86.Tile<VnniIntDot>),
                    [KernelPath.Avx2] = new(&Q4_0TileX86.Prepare, 2, &InterleavedQ4_0X86.Tile<Avx2IntDot>),
                    [KernelPath.NeonDot] = new(&InterleavedQ4_0Arm.PrepareTile, InterleavedQ4_0Arm.TileAuxPerBlock, &InterleavedQ4_0Arm.Tile<SdotArm>),
                },
            },
        },
        new(GgmlType.Q4_1, BlockQ4_1.Elements, BlockQ4_1.Bytes) { Activation = GgmlType.Q8_1, ScalarDot = &ScalarDot.Q4_1, DequantizeBlock = &BlockQ4_1.Dequantize },
        new(GgmlType.Q5_0, BlockQ5_0.Elements, BlockQ5_0.Bytes) { Activation = GgmlType.Q8_0, ScalarDot = &ScalarDot.Q5_0, DequantizeBlock = &BlockQ5_0.Dequantize },
        new(GgmlType.Q5_1, BlockQ5_1.Elements, BlockQ5_1.Bytes) { Activation = GgmlType.Q8_1, ScalarDot = &ScalarDot.Q5_1, DequantizeBlock = &BlockQ5_1.Dequantize },
        new(GgmlType.Q8_0, BlockQ8_0.Elements, BlockQ8_0.Bytes)
        {
            Activation = GgmlType.Q8_0, ScalarDot = &ScalarDot.Q8_0, DequantizeBlock = &BlockQ8_0.Dequantize,
            QuantizeBlock = &BlockQ8_0.Quantize,
            Quantize = new() { [KernelPath.Avx2] = new(&QuantizeX86.Q8_0), [KernelPath.FloatVector128] = new(&Quantize128.Q8_0) },
            Rows = new()
            {
                [KernelPath.AvxVnni] = new(&Q8_0X86.Rows<VnniIntDot>),
                [KernelPath.Avx512] = new(&Q8_0X86.Rows512),
                [KernelPath.Avx2] = new(&Q8_0X86.Rows<Avx2IntDot>),
                [KernelPath.NeonDot] = new(&Q8_0Arm.Rows<SdotArm>),
                [KernelPath.Neon] = new(&Q8_0Arm.Rows<WideningArm>),
                [KernelPath.NeonEmulated] = new(&Q8_0Arm.Rows<EmulatedSdot>),
            },
            // Cortex-A76 prompt batches: tokens as lanes, from activations regrouped per four tokens (Q8_0TileArm.Prepare).
            Tile = new() { [KernelPath.NeonDot] = new(&Q8_0TileArm.Prepare, Q8_0TileArm.AuxPerBlock, &Q8_0TileArm.Run<SdotArm>) },
        },
        // Activation-only: what Q4_1 and Q5_1 dots quantize to; no dot of its own.
        new(GgmlType.Q8_1, BlockQ8_1.Elements, BlockQ8_1.Bytes) { DequantizeBlock = &BlockQ8_1.Dequantize, QuantizeBlock = &BlockQ8_1.Quantize },

        // 256-element super-blocks.
        new(GgmlType.Q2_K, BlockQ2_K.Elements, BlockQ2_K.Bytes) { Activation = GgmlType.Q8_K, ScalarDot = &ScalarDot.Q2_K, DequantizeBlock = &BlockQ2_K.Dequantize },
        new(GgmlType.Q3_K, BlockQ3_K.Elements, BlockQ3_K.Bytes) { Activation = GgmlType.Q8_K, ScalarDot = &ScalarDot.Q3_K, DequantizeBlock = &BlockQ3_K.Dequantize },
        new(GgmlType.Q4_K, BlockQ4_K.Elements, BlockQ4_K.Bytes)
        {
            Activation = GgmlType.Q8_K, ScalarDot = &ScalarDot.Q4_K, DequantizeBlock = &BlockQ4_K.Dequantize,
            Rows = new()
            {
                [KernelPath.AvxVnni] = new(&Q4_KX86.Rows<VnniIntDot>),
                [KernelPath.Avx2] = new(&Q4_KX86.Rows<Avx2IntDot>),
                [KernelPath.NeonDot] = new(&Q4_KArm.Rows<SdotArm>),
                [KernelPath.Neon] = new(&Q4_KWideArm.Rows),
                [KernelPath.NeonEmulated] = new(&Q4_KArm.Rows<EmulatedSdot>),
            },
            Interleaved = new(&InterleavedQ4_K.GroupBytes, &InterleavedQ4_K.Interleave, &InterleavedQ4_K.ScalesFinite)
            {
                Rows = new()
                {
                    [KernelPath.AvxVnni] = new(&InterleavedQ4_KX86.Rows<VnniIntDot>),
                    [KernelPath.Avx2] = new(&InterleavedQ4_KX86.Rows<Avx2IntDot>),
                    [KernelPath.NeonDot] = new(&InterleavedQ4_KArm.Rows<SdotArm>),
                    [KernelPath.NeonEmulated] = new(&InterleavedQ4_KArm.Rows<EmulatedSdot>),
                },
                Tile = new()
                {
                    [KernelPath.AvxVnni] = new(&InterleavedQ4_KX86.Prepare, InterleavedQ4_KX86.AuxPerBlock, &InterleavedQ4_KX86.Tile<VnniIntDot>),
                    [KernelPath.Avx2] = new(&InterleavedQ4_KX86.Prepare, InterleavedQ4_KX86.AuxPerBlock, &InterleavedQ4_KX86.Tile<Avx2IntDot>),
                    [KernelPath.NeonDot] = new(&InterleavedQ4_KArm.PrepareTile, InterleavedQ4_KArm.TileAuxPerBlock, &InterleavedQ4_KArm.Tile<SdotArm>),
                },
            },
        },
        new(GgmlType.Q5_K, BlockQ5_K.Elements, BlockQ5_K.Bytes) { Activation = GgmlType.Q8_K, ScalarDot = &ScalarDot.Q5_K, DequantizeBlock = &BlockQ5_K.Dequantize },
        new(GgmlType.Q6_K, BlockQ6_K.Elements, BlockQ6_K.Bytes)
        {
            Activation = GgmlType.Q8_K, ScalarDot = &ScalarDot.Q6_K, DequantizeBlock = &BlockQ6_K.Dequantize,
            Rows = new()
            {
                [KernelPath.AvxVnni] = new(&Q6_KX86.Rows<VnniIntDot>),
                [KernelPath.Avx2] = new(&Q6_KX86.Rows<Avx2IntDot>),
                [KernelPath.NeonDot] = new(&Q6_KArm.Rows<SdotArm>),
                [KernelPath.Neon] = new(&Q6_KWideArm.Rows),
                [KernelPath.NeonEmulated] = new(&Q6_KArm.Rows<EmulatedSdot>),
            },
            Interleaved = new(&InterleavedQ6_K.GroupBytes, &InterleavedQ6_K.Interleave, &InterleavedQ6_K.ScalesFinite)
            {
                Rows = new()
                {
                    [KernelPath.AvxVnni] = new(&InterleavedQ6_KX86.Rows<VnniIntDot>),
                    [KernelPath.Avx512] = new(&InterleavedQ6_KAvx512.Rows),
                    [KernelPath.Avx2] = new(&InterleavedQ6_KX86.Rows<Avx2IntDot>),
                    [KernelPath.NeonDot] = new(&InterleavedQ6_KArm.Rows<SdotArm>),
                    [KernelPath.NeonEmulated] = new(&InterleavedQ6_KArm.Rows<EmulatedSdot>),
                },
                Tile = new()
                {
                    [KernelPath.AvxVnni] = new(&InterleavedQ6_KX86.Prepare, InterleavedQ6_KX86.AuxPerBlock, &InterleavedQ6_KX86.Tile<VnniIntDot>),
                    [KernelPath.Avx2] = new(&InterleavedQ6_KX86.Prepare, InterleavedQ6_KX86.AuxPerBlock, &InterleavedQ6_KX86.Tile<Avx2IntDot>),
                    [KernelPath.NeonDot] = new(&InterleavedQ6_KArm.PrepareTile, InterleavedQ6_KArm.TileAuxPerBlock, &InterleavedQ6_KArm.Tile<SdotArm>),
                },
            },
        },
        // Activation-only: what the K-quant dots quantize to.
        new(GgmlType.Q8_K, BlockQ8_K.Elements, BlockQ8_K.Bytes)
        {
            DequantizeBlock = &BlockQ8_K.Dequantize, QuantizeBlock = &BlockQ8_K.Quantize,
            Quantize = new() { [KernelPath.Avx2] = new(&QuantizeX86.Q8_K), [KernelPath.FloatVector128] = new(&Quantize128.Q8_K) },
        },
    ]);

    /// <summary>The row of <paramref name="type"/>; NotSupportedException (naming the type) for one this engine does not read.</summary>
    public static QuantType Get(GgmlType type) => TryGet(type) ?? throw Unsupported(type);

    /// <summary>The row of <paramref name="type"/>, or null (the IQ and ternary families, numbers ggml never defined).</summary>
    public static QuantType? TryGet(GgmlType type) => (uint)type < (uint)ByType.Length ? ByType[(int)type] : null;

    /// <summary>Every row, in type order (tests).</summary>
    public static IEnumerable<QuantType> All => ByType.OfType<QuantType>();

    public static NotSupportedException Unsupported(GgmlType type) =>
        new(Enum.IsDefined(type)
            ? $"ggml type {type} ({(uint)type}) is not supported"
            : $"unknown ggml type {(uint)type}");

    private static QuantType?[] Build(QuantType[] rows)
    {
        int size = 0;
        foreach (var row in rows) size = Math.Max(size, (int)row.Type + 1);
        var byType = new QuantType?[size];
        foreach (var row in rows)
        {
            if (byType[(int)row.Type] != null) throw new InvalidOperationException($"two table rows for {row.Type}");
            byType[(int)row.Type] = row;
        }
        return byType;
    }

    /// <summary>Whole-row conversions of the plain float types (native byte order, as the mapped file is read).</summary>
    private static class FloatCodecs
    {
        public static void F32ToSingle(ReadOnlySpan<byte> src, Span<float> dst) => MemoryMarshal.Cast<byte, float>(src)[..dst.Length].CopyTo(dst);

        public static void F16ToSingle(ReadOnlySpan<byte> src, Span<float> dst)
        {
            var h = MemoryMarshal.Cast<byte, ushort>(src);
            for (int i = 0; i < dst.Length; i++) dst[i] = Fp16.ToSingle(h[i]);
        }

        public static void BF16ToSingle(ReadOnlySpan<byte> src, Span<float> dst)
        {
            var h = MemoryMarshal.Cast<byte, ushort>(src);
            for (int i = 0; i < dst.Length; i++) dst[i] = Bf16.ToSingle(h[i]);
        }

        public static void SingleToF32(ReadOnlySpan<float> src, Span<byte> dst) => src.CopyTo(MemoryMarshal.Cast<byte, float>(dst));

        public static void SingleToF16(ReadOnlySpan<float> src, Span<byte> dst)
        {
            Fp16.FromSingle(src, MemoryMarshal.Cast<byte, ushort>(dst));
        }

        public static void SingleToBF16(ReadOnlySpan<float> src, Span<byte> dst)
        {
            var h = MemoryMarshal.Cast<byte, ushort>(dst);
            for (int i = 0; i < src.Length; i++) h[i] = Bf16.FromSingle(src[i]);
        }
    }
}
