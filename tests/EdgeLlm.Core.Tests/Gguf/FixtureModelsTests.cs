using EdgeLlm.Core.Gguf;
using EdgeLlm.Core.Tensors;

namespace EdgeLlm.Core.Tests.Gguf;

public class FixtureModelsTests
{
    [Theory]
    [InlineData("tiny-f16.gguf", 32000, 256, 2, 8, 4, 768)]
    [InlineData("tiny-q4_0.gguf", 32000, 256, 2, 8, 4, 768)]
    [InlineData("tiny-q4_k_m.gguf", 32000, 256, 2, 8, 4, 768)]
    [InlineData("tiny-tied-f16.gguf", 32000, 256, 2, 4, 1, 512)]
    [InlineData("stories260K.gguf", 512, 64, 5, 8, 4, 172)]
    [InlineData("llama-2-tiny-random.gguf", 32000, 8, 1, 2, 2, 32)]
    public void Summary_matches_the_fixture_readme(string model, long vocab, long embd, long layers, long heads, long kvHeads, long ff)
    {
        using var file = GgufFile.Open(Fixtures.Model(model));
        var s = ModelFileSummary.From(file);
        Assert.Equal("llama", s.Architecture);
        Assert.Equal((vocab, embd, layers, heads, kvHeads, ff),
            (s.VocabSize, s.EmbeddingLength, s.BlockCount, s.HeadCount, s.HeadCountKv, s.FeedForwardLength));
    }

    [Fact]
    public void Tensor_views_point_inside_the_file_and_have_the_right_size()
    {
        using var file = GgufFile.Open(Fixtures.Model("tiny-q4_0.gguf"));
        var embd = file.GetTensor("token_embd.weight");
        Assert.Equal(GgmlType.Q4_0, embd.Type);
        Assert.Equal(new long[] { 256, 32000 }, embd.Dimensions);
        Assert.Equal(256 / 32 * 18 * 32000L, file.TensorBytes(embd).Length);
        Assert.Equal(256 / 32 * 18, file.TensorRow(embd, 31999).Length);
        Assert.Equal(GgmlType.Q6_K, file.GetTensor("output.weight").Type);
        foreach (var t in file.Tensors)
            Assert.True(file.DataOffset + t.Offset + t.ByteSize <= file.FileLength, t.Name);
    }

    [Fact]
    public void Typed_accessors_read_hyperparameters()
    {
        using var file = GgufFile.Open(Fixtures.Model("tiny-f16.gguf"));
        Assert.Equal(2u, file.GetUInt32("llama.block_count"));
        Assert.Equal(1e-5f, file.GetFloat32("llama.attention.layer_norm_rms_epsilon"), 9);
        Assert.Equal("llama", file.GetString("general.architecture"));
        Assert.Equal(32000, file.Find("tokenizer.ggml.tokens")!.AsArray<string>()!.Length);
        var ex = Assert.Throws<GgufException>(() => file.GetUInt32("llama.no_such_key"));
        Assert.Contains("llama.no_such_key", ex.Message);
    }
}
