using EdgeLlm.Core.Tensors;

namespace EdgeLlm.Core.Tests.Tensors;

/// <summary>The rows × tokens (prompt batch) kernels against <see cref="ScalarDot"/>, on shapes that exercise every edge.</summary>
public class TileTests
{
    [Fact]
    public void Q4_0_tile_matches_scalar_on_uneven_shapes()
    {
        if (!Dot.TileSupported(GgmlType.Q4_0, 4)) return; // no tile kernel on this CPU: the per-row kernels serve batches
        KernelParity.CheckTile(GgmlType.Q4_0);
    }

    [Fact]
    public void Tile_is_offered_only_for_batches()
    {
        Assert.False(Dot.TileSupported(GgmlType.Q4_0, 1));
        Assert.False(Dot.TileSupported(GgmlType.F32, 8));
    }

    [Fact]
    public void Tile_rejects_bad_arguments()
    {
        if (!Dot.TileSupported(GgmlType.Q4_0, 4)) return;
        var act = new byte[4 * 34];
        var aux = new float[Dot.TileAuxLength(GgmlType.Q4_0, 4, 32)];
        Dot.TilePrepare(GgmlType.Q4_0, act, 34, 4, 32, aux);
        Assert.Throws<ArgumentException>(() => Dot.Tile(GgmlType.Q4_0, new byte[18 * 8], 8, act, 34, 4, 32, aux, new float[8 * 3], 8, new byte[Dot.TileScratchBytes]));
        Assert.Throws<ArgumentException>(() => Dot.Tile(GgmlType.Q4_0, new byte[18 * 7], 8, act, 34, 4, 32, aux, new float[8 * 4], 8, new byte[Dot.TileScratchBytes]));
        Assert.Throws<ArgumentException>(() => Dot.Tile(GgmlType.Q4_0, new byte[18 * 8], 8, act, 34, 4, 32, aux, new float[8 * 4], 8, new byte[16]));
    }
}
