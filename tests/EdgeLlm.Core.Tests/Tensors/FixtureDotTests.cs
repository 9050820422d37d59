using EdgeLlm.Core.Gguf;
using EdgeLlm.Core.Tensors;

namespace EdgeLlm.Core.Tests.Tensors;

/// <summary>Every kernel path on real weight rows from the fixture models, against the scalar reference.</summary>
public class FixtureDotTests
{
    public static TheoryData<string> Models => new()
    {
        "tiny-q4_k_m.gguf", "tiny-q4_0.gguf", "tiny-q8_0.gguf", "tiny-f16.gguf", "stories260K.gguf", "tinystories-656k-q8_0.gguf",
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void Real_rows_match_scalar_on_every_path(string model)
    {
        using var file = GgufFile.Open(Fixtures.Model(model));
        var rng = new Random(model.Length);
        int tested = 0;
        // Up to two tensors per type: enough to cover each type's real scale distributions without a slow test.
        foreach (var group in file.Tensors.Where(t => t.Dimensions.Length >= 1).GroupBy(t => t.Type))
        {
            foreach (var tensor in group.Take(2))
            {
                int n = (int)tensor.RowLength;
                if (n % GgmlTypeInfo.BlockSize(tensor.Type) != 0) continue;
                int rows = (int)Math.Min(tensor.RowCount, 9);
                long rowBytes = GgmlTypeInfo.RowBytes(tensor.Type, n);
                long first = rng.NextInt64(0, tensor.RowCount - rows + 1);
                byte[] w = new byte[rowBytes * rows];
                for (int r = 0; r < rows; r++) file.TensorRow(tensor, first + r).CopyTo(w.AsSpan((int)(r * rowBytes)));
                byte[] act = RandomBlocks.ActivationRow(tensor.Type, n, rng, out _);
                foreach (var path in Enum.GetValues<KernelPath>().Where(p => Dot.CanRun(p, tensor.Type)))
                {
                    var got = new float[rows];
                    Dot.RowsWith(path, tensor.Type, w, rows, act, n, got);
                    for (int r = 0; r < rows; r++)
                    {
                        var row = w.AsSpan((int)(r * rowBytes), (int)rowBytes);
                        DotTests.AssertClose(tensor.Type, row, act, n, ScalarDot.Row(tensor.Type, row, act, n), got[r],
                            $"{model} {tensor.Name} ({tensor.Type}) row {first + r} via {path}");
                    }
                }
                tested++;
            }
        }
        Assert.True(tested > 0, $"{model}: no tensor tested");
    }

    [Fact]
    public void Real_q4_k_m_file_has_the_types_we_expect()
    {
        using var file = GgufFile.Open(Fixtures.Model("tiny-q4_k_m.gguf"));
        var types = file.Tensors.Select(t => t.Type).ToHashSet();
        Assert.Contains(GgmlType.Q4_K, types);
        Assert.Contains(GgmlType.Q6_K, types);
    }
}
