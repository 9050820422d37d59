using EdgeLlm.Core.Tensors;
using EdgeLlm.Core.Tensors.Formats;
using EdgeLlm.Core.Tensors.X86;

namespace EdgeLlm.Core.Tests.Tensors;

/// <summary>
/// The per-type table (<see cref="QuantTypes"/>) is consistent with ggml and with itself, and the dispatchers reading it
/// refuse, by name, what a row does not list.
/// </summary>
public unsafe class QuantTypesTests
{
    /// <summary>ggml's block sizes (QK) and block structs (ggml-common.h), written out independently of the Block* constants.</summary>
    private static readonly Dictionary<GgmlType, (int Elements, int Bytes)> Ggml = new()
    {
        [GgmlType.F32] = (1, 4),
        [GgmlType.F16] = (1, 2),
        [GgmlType.BF16] = (1, 2),
        [GgmlType.Q4_0] = (32, 2 + 16),
        [GgmlType.Q4_1] = (32, 2 + 2 + 16),
        [GgmlType.Q5_0] = (32, 2 + 4 + 16),
        [GgmlType.Q5_1] = (32, 2 + 2 + 4 + 16),
        [GgmlType.Q8_0] = (32, 2 + 32),
        [GgmlType.Q8_1] = (32, 2 + 2 + 32),
        [GgmlType.Q2_K] = (256, 16 + 64 + 2 + 2),
        [GgmlType.Q3_K] = (256, 32 + 64 + 12 + 2),
        [GgmlType.Q4_K] = (256, 2 + 2 + 12 + 128),
        [GgmlType.Q5_K] = (256, 2 + 2 + 12 + 32 + 128),
        [GgmlType.Q6_K] = (256, 128 + 64 + 16 + 2),
        [GgmlType.Q8_K] = (256, 4 + 256 + 32),
    };

    [Fact]
    public void Every_row_has_ggml_block_geometry_and_only_those_types_have_rows()
    {
        Assert.Equal(Ggml.Keys.Order(), QuantTypes.All.Select(t => t.Type).Order());
        foreach (var t in QuantTypes.All)
        {
            Assert.Equal(Ggml[t.Type], (t.BlockElements, t.BlockBytes));
            Assert.Equal(t.BlockElements, GgmlTypeInfo.BlockSize(t.Type));
            Assert.Equal(t.BlockBytes, GgmlTypeInfo.BlockBytes(t.Type));
        }
        foreach (var type in Enum.GetValues<GgmlType>().Where(t => !Ggml.ContainsKey(t)))
        {
            Assert.False(GgmlTypeInfo.IsSupported(type));
            Assert.Contains(type.ToString(), Assert.Throws<NotSupportedException>(() => GgmlTypeInfo.BlockSize(type)).Message);
        }
    }

    [Fact]
    public void Weight_types_dot_with_a_quantizable_activation_type_of_the_same_block_size()
    {
        foreach (var t in QuantTypes.All)
        {
            Assert.True(t.IsWeight == (t.ScalarDot != null), $"{t}: reference dot exactly for weight types");
            if (!t.IsWeight) continue;
            var activation = QuantTypes.Get(t.Activation!.Value);
            Assert.True(activation.IsActivation, $"{t}: activation type {activation} has no quantizer");
            Assert.Equal(t.BlockElements, activation.BlockElements);
        }
        // The activation-only types are some weight type's activation type.
        foreach (var t in QuantTypes.All.Where(t => !t.IsWeight))
            Assert.Contains(QuantTypes.All, w => w.Activation == t.Type);
    }

    [Fact]
    public void Codecs_work_on_blocks_for_block_formats_and_on_rows_for_plain_floats()
    {
        foreach (var t in QuantTypes.All)
        {
            bool plain = t.BlockElements == 1;
            Assert.True((t.DequantizeBlock != null) == !plain && (t.DequantizeRun != null) == plain, $"{t}: one dequantizer of the right kind");
            Assert.False(t.QuantizeBlock != null && (plain || t.QuantizeRun != null), $"{t}: one quantizer of the right kind");
            Assert.False(t.QuantizeRun != null && !plain, $"{t}: row quantizer on a block format");
            Assert.True(t.Quantize.Preferred == null || t.IsActivation, $"{t}: SIMD quantizer without a scalar one");
        }
    }

    [Fact]
    public void Kernels_are_listed_for_weight_types_on_real_paths_and_the_preferred_one_runs_here()
    {
        foreach (var t in QuantTypes.All)
        {
            if (!t.IsWeight)
            {
                Assert.Empty(t.Rows.Listed);
                Assert.Empty(t.Tile.Listed);
                Assert.Null(t.Interleaved);
            }
            // Scalar is ScalarDot row by row, never a listed kernel.
            Assert.DoesNotContain(KernelPath.Scalar, t.Rows.Listed);
            AssertPreferred(t.Rows);
            AssertPreferred(t.Tile);
            AssertPreferred(t.Quantize);
            if (t.Interleaved is { } format)
            {
                AssertPreferred(format.Rows);
                AssertPreferred(format.Tile);
                Assert.DoesNotContain(KernelPath.Scalar, format.Rows.Listed);
            }
        }
    }

    private static void AssertPreferred<T>(KernelsByPath<T> kernels) where T : struct
    {
        var expected = KernelPaths.Preference.ToArray().Where(kernels.CanRun).Select(p => (KernelPath?)p).FirstOrDefault();
        Assert.Equal(expected, kernels.Preferred);
    }

    [Fact]
    public void Interleaved_formats_group_as_many_rows_as_the_dispatcher()
    {
        Assert.Equal(InterleavedDot.GroupRows, InterleavedQ4_0.GroupRows);
        Assert.Equal(InterleavedDot.GroupRows, InterleavedQ4_K.GroupRows);
        Assert.Equal(InterleavedDot.GroupRows, InterleavedQ6_K.GroupRows);
        Assert.Equal(new[] { GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.Q6_K }, QuantTypes.All.Where(t => t.Interleaved != null).Select(t => t.Type));
    }

    [Theory]
    [InlineData(GgmlType.Q8_0)] // a weight type with row kernels but no interleaved layout
    [InlineData(GgmlType.Q5_K)]
    [InlineData(GgmlType.F16)]
    [InlineData(GgmlType.IQ4_NL)] // no row at all
    public void A_type_without_an_interleaved_layout_is_refused_by_name_everywhere(GgmlType type)
    {
        const int n = 256;
        var bytes = new byte[1 << 16];
        var floats = new float[1 << 12];
        string name = type.ToString();

        Assert.False(InterleavedDot.Fits(type, 8, n));
        Assert.False(InterleavedDot.Supported(type));
        Assert.False(InterleavedDot.TileSupported(type, 8));
        Assert.Equal(KernelPath.Scalar, InterleavedDot.Default(type));
        Assert.Equal(KernelPath.Scalar, InterleavedDot.TilePath(type));
        foreach (var path in Enum.GetValues<KernelPath>()) Assert.False(InterleavedDot.CanRun(path, type));

        Refused(() => InterleavedDot.GroupBytes(type, n));
        Refused(() => InterleavedDot.Interleave(type, bytes, n, bytes));
        Refused(() => InterleavedDot.Interleave(type, bytes, 8, n));
        Refused(() =>
        {
            fixed (byte* p = bytes) InterleavedDot.Interleave(type, p, 1024, n, p);
        });
        Refused(() =>
        {
            fixed (byte* p = bytes) InterleavedDot.ScalesFinite(type, p, n);
        });
        Refused(() => InterleavedDot.TileAuxLength(type, 8, n));
        Refused(() => InterleavedDot.TilePrepare(type, bytes, 1024, 8, n, floats));
        Refused(() => InterleavedDot.Tile(type, bytes, 1, bytes, 1024, 8, n, floats, floats, 8));
        Refused(() => InterleavedDot.Rows(type, bytes, 1, bytes, n, floats));
        foreach (var path in Enum.GetValues<KernelPath>())
            Refused(() => InterleavedDot.RowsWith(path, type, bytes, 1, bytes, n, floats));

        void Refused(Action call) => Assert.Contains(name, Assert.Throws<NotSupportedException>(call).Message);
    }

    [Fact]
    public void A_type_without_a_tile_kernel_is_refused_by_name()
    {
        foreach (var type in new[] { GgmlType.Q8_0, GgmlType.Q4_K })
        {
            if (Dot.TileSupported(type, 8)) continue;
            Assert.Contains(type.ToString(), Assert.Throws<NotSupportedException>(() => Dot.TileAuxLength(type, 8, 256)).Message);
            Assert.Contains(type.ToString(), Assert.Throws<NotSupportedException>(() => Dot.TilePrepare(type, new byte[1 << 14], 1024, 8, 256, new float[1 << 10])).Message);
        }
        if (Dot.TileSupported(GgmlType.Q4_0, 4))
            Assert.Throws<NotSupportedException>(() => Dot.TileAuxLength(GgmlType.Q4_0, 3, 256)); // too few tokens for a tile
    }

    [Fact]
    public void KernelIsa_names_the_path_Dot_runs_Q4_0_on()
    {
        Assert.Equal(Dot.Name(Dot.Default(GgmlType.Q4_0)), CpuFeatures.KernelIsa);
        if (VnniIntDot.IsSupported) Assert.Equal("avx-vnni", CpuFeatures.KernelIsa); // it used to say avx512 on such CPUs
        else if (Avx2IntDot.IsSupported && !KernelPaths.IsSupported(KernelPath.Avx512)) Assert.Equal("avx2", CpuFeatures.KernelIsa);
    }

    [Fact]
    public void Row_kernels_pick_the_first_preferred_path_the_type_lists()
    {
        foreach (var t in QuantTypes.All.Where(t => t.IsWeight))
            Assert.Equal(t.Rows.Preferred ?? KernelPath.Scalar, Dot.Default(t.Type));
        Assert.Equal(Dot.Name(QuantTypes.Get(GgmlType.Q8_0).Quantize.Preferred ?? KernelPath.Scalar), Quants.QuantizePath);
    }
}
