using EdgeLlm.Bench;
using EdgeLlm.Core.Gguf;
using EdgeLlm.Core.Model;
using EdgeLlm.Core.Tensors;

namespace EdgeLlm.Tests.Model;

/// <summary>
/// A key or tensor that changes the math and that the engine does not implement is an error naming it, never ignored:
/// ignoring Llama 3's rope_freqs once gave plausible, wrong logits.
/// </summary>
public sealed class ArchitectureRefusalTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edgellm-refusal-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Model(string arch, int slidingWindow = 0)
    {
        string path = Path.Combine(_dir, $"{arch}-{Guid.NewGuid():N}.gguf");
        using var stream = File.Create(path);
        SyntheticModel.Write(new SyntheticPreset("t", arch, 300, 64, 1, 4, 2, 96, GgmlType.F32, 0, SlidingWindow: slidingWindow), stream);
        return path;
    }

    private string Rewrite(string source, Action<GgufWriter>? keys, params (string, GgmlType, long[])[] tensors)
    {
        string path = Path.Combine(_dir, $"rewritten-{Guid.NewGuid():N}.gguf");
        GgufRewrite.Copy(source, path, keys, tensors);
        return path;
    }

    private static string LoadError(string path)
    {
        using var file = GgufFile.Open(path);
        return Assert.Throws<GgufException>(() => TransformerModel.Load(file).Dispose()).Message;
    }

    [Fact]
    public void The_unmodified_copy_loads()
    {
        // The rewrite itself must not be what the other tests trip on.
        string path = Rewrite(Model("llama"), null);
        using var file = GgufFile.Open(path);
        using var model = TransformerModel.Load(file);
        Assert.Equal("llama", model.Config.Architecture);
    }

    [Fact]
    public void An_unknown_tensor_is_named()
    {
        string e = LoadError(Rewrite(Model("llama"), null, ("blk.0.attn_q.bias", GgmlType.F32, [64])));
        Assert.Contains("tensor 'blk.0.attn_q.bias'", e);
        Assert.Contains("'llama'", e);
    }

    [Fact]
    public void An_unknown_architecture_key_is_named() =>
        Assert.Contains("'llama.attention.clamp_kqv'", LoadError(Rewrite(Model("llama"), w => w.Add("llama.attention.clamp_kqv", 8f))));

    [Theory]
    [InlineData("yarn")]
    [InlineData("longrope")]
    public void Rope_scaling_that_is_not_implemented_is_refused_by_name(string type)
    {
        string e = LoadError(Rewrite(Model("qwen2"), w => w.Add("qwen2.rope.scaling.type", type).Add("qwen2.rope.scaling.factor", 4f)));
        Assert.Contains("'qwen2.rope.scaling.type'", e);
        Assert.Contains(type, e);
    }

    [Fact]
    public void Linear_rope_scaling_is_accepted_and_divides_the_positions()
    {
        using var file = GgufFile.Open(Rewrite(Model("llama"), w => w.Add("llama.rope.scaling.type", "linear").Add("llama.rope.scaling.factor", 4f)));
        using var model = TransformerModel.Load(file);
        Assert.Equal(0.25f, model.Config.Rope.FreqScale);
    }

    [Fact]
    public void Phi3_long_rope_factors_are_refused_by_name()
    {
        string e = LoadError(Rewrite(Model("phi3", slidingWindow: 2047), null, ("rope_factors_long.weight", GgmlType.F32, [8])));
        Assert.Contains("rope_factors_long.weight", e);
        Assert.Contains("LongRoPE", e);
    }

    [Fact]
    public void A_mixture_of_experts_is_refused() =>
        Assert.Contains("'llama.expert_count' = 8", LoadError(Rewrite(Model("llama"), w => w.Add("llama.expert_count", 8u))));

    [Fact]
    public void An_unsupported_architecture_lists_the_supported_ones()
    {
        string path = Rewrite(Model("llama"), null);
        string gemma = Path.Combine(_dir, "gemma.gguf");
        // Same file with general.architecture replaced.
        using (var src = GgufFile.Open(path))
        {
            var writer = new GgufWriter().Add("general.architecture", "gemma");
            foreach (var t in src.Tensors) writer.AddTensor(t.Name, t.Type, t.Dimensions);
            using var output = File.Create(gemma);
            writer.WriteTo(output, (i, s) => s.Write(src.TensorBytes(src.Tensors[i])));
        }
        string e = LoadError(gemma);
        Assert.Contains("unsupported model architecture 'gemma'", e);
        foreach (var arch in new[] { "'llama'", "'qwen2'", "'qwen3'", "'phi3'" }) Assert.Contains(arch, e);
    }
}
