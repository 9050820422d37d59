using EdgeLlm.Core.Tensors;
using EdgeLlm.Core.Tensors.Formats;

namespace EdgeLlm.Core.Tests.Tensors;

/// <summary>The rows-as-lanes Q4_0 layout and every kernel over it, against the scalar dot of the original rows.</summary>
public class InterleavedDotTests
{
    private static IEnumerable<string> PathNames() =>
        Enum.GetValues<KernelPath>().Where(p => InterleavedDot.CanRun(p, GgmlType.Q4_0)).Select(p => p.ToString());

    public static TheoryData<string, string> Paths()
    {
        var data = new TheoryData<string, string>();
        foreach (var type in new[] { GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.Q6_K })
            foreach (var path in Enum.GetValues<KernelPath>().Where(p => InterleavedDot.CanRun(p, type)))
                data.Add(type.ToString(), path.ToString());
        return data;
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Kernel_matches_scalar_dot_of_the_original_rows(string type, string path) =>
        KernelParity.CheckInterleaved(Enum.Parse<KernelPath>(path), Enum.Parse<GgmlType>(type));

    [Fact]
    public void Emulated_arm_kernel_is_always_tested() => Assert.Contains(nameof(KernelPath.NeonEmulated), PathNames());

    [Theory]
    [InlineData(GgmlType.Q4_0)]
    [InlineData(GgmlType.Q4_K)]
    [InlineData(GgmlType.Q6_K)]
    public void Tile_matches_scalar_dot_of_the_original_rows(GgmlType type)
    {
        if (!InterleavedDot.TileSupported(type, 4)) return; // x64; arm64 SDOT has the Q4_0 tile only (emulated in Arm/)
        KernelParity.CheckInterleavedTile(type);
    }

    [Fact]
    public void Generation_takes_the_512_bit_kernels_where_AVX_VNNI_is_missing_and_tiles_stay_256_bit()
    {
        if (!InterleavedDot.CanRun(KernelPath.Avx512, GgmlType.Q4_0) || InterleavedDot.CanRun(KernelPath.AvxVnni, GgmlType.Q4_0)) return;
        Assert.Equal(KernelPath.Avx512, InterleavedDot.Default(GgmlType.Q4_0));
        Assert.Equal(KernelPath.Avx512, InterleavedDot.Default(GgmlType.Q6_K));
        Assert.Equal(KernelPath.Avx2, InterleavedDot.Default(GgmlType.Q4_K));
        Assert.False(InterleavedDot.CanRun(KernelPath.Avx512, GgmlType.Q4_K));
        Assert.Equal(KernelPath.Avx2, InterleavedDot.TilePath(GgmlType.Q4_0));
        Assert.True(InterleavedDot.TileSupported(GgmlType.Q6_K, 4));
    }

    [Fact]
    public void Interleave_moves_bytes_only_and_round_trips()
    {
        var rng = new Random(5);
        int n = 96;
        var rows = new byte[8 * GgmlTypeInfo.RowBytes(GgmlType.Q4_0, n)];
        rng.NextBytes(rows);
        var group = new byte[InterleavedDot.GroupBytes(GgmlType.Q4_0, n)];
        Assert.Equal(rows.Length, group.Length);
        InterleavedDot.Interleave(GgmlType.Q4_0, rows, n, group);
        Assert.Equal(rows.Order(), group.Order());
        var back = new byte[rows.Length];
        InterleavedQ4_0.Deinterleave(group, n, back);
        Assert.Equal(rows, back);
        // Blocks of 144 bytes, each its 128 bytes of quants then its 16 bytes of scales: row 3's scale of block 1 sits at
        // 144·1 + 128 + 2·3; its nibble bytes 4..7 of block 2 in chunk 1, lane 3, at 144·2 + 32 + 4·3.
        int rowBytes = n / 32 * 18;
        Assert.Equal(rows.AsSpan(3 * rowBytes + 18, 2).ToArray(), group.AsSpan(144 + 128 + 6, 2).ToArray());
        Assert.Equal(rows.AsSpan(3 * rowBytes + 2 * 18 + 2 + 4, 4).ToArray(), group.AsSpan(2 * 144 + 32 + 12, 4).ToArray());
    }

    [Fact]
    public void Only_whole_groups_of_Q4_0_fit()
    {
        Assert.True(InterleavedDot.Fits(GgmlType.Q4_0, 16, 4096));
        Assert.False(InterleavedDot.Fits(GgmlType.Q4_0, 12, 4096));
        Assert.False(InterleavedDot.Fits(GgmlType.Q4_0, 16, 48));
        Assert.False(InterleavedDot.Fits(GgmlType.Q8_0, 16, 4096));
        Assert.True(InterleavedDot.Fits(GgmlType.Q4_K, 8, 4096));
        Assert.False(InterleavedDot.Fits(GgmlType.Q4_K, 8, 4096 + 32));
        Assert.True(InterleavedDot.Fits(GgmlType.Q6_K, 8, 512));
        Assert.False(InterleavedDot.TileSupported(GgmlType.Q6_K, 3));
        Assert.False(InterleavedDot.Supported(GgmlType.Q5_K));
    }

    [Fact]
    public void Rows_rejects_short_buffers()
    {
        if (!InterleavedDot.Supported(GgmlType.Q4_0)) return; // no kernel on this CPU; the emulated path is covered above
        var group = new byte[InterleavedDot.GroupBytes(GgmlType.Q4_0, 64)];
        var act = new byte[GgmlTypeInfo.RowBytes(GgmlType.Q8_0, 64)];
        Assert.Throws<ArgumentException>(() => InterleavedDot.Rows(GgmlType.Q4_0, group, 2, act, 64, new float[16]));
        Assert.Throws<ArgumentException>(() => InterleavedDot.Rows(GgmlType.Q4_0, group, 1, act, 64, new float[7]));
        Assert.Throws<ArgumentException>(() => InterleavedDot.Rows(GgmlType.Q4_0, group, 1, act.AsSpan(1), 64, new float[8]));
    }
}
