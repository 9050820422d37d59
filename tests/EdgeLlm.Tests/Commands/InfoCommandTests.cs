using System.Text.Json;

namespace EdgeLlm.Tests.Commands;

[Collection("console")]
public class InfoCommandTests
{
    [Fact]
    public void Prints_the_model_figures()
    {
        var (exit, stdout, stderr) = Cli.Run("info", Fixtures.Model("tiny-q4_0.gguf"));
        Assert.Equal(0, exit);
        Assert.Equal("", stderr);
        Assert.Contains("architecture:    llama", stdout);
        Assert.Contains("file type:       Q4_0", stdout);
        Assert.Contains("kv heads:        4", stdout);
        Assert.Contains("Q6_K", stdout);
        Assert.Contains("runs here:       yes (llama; KV cache 1 KiB per token at F16)", stdout);
    }

    [Fact]
    public void Says_whether_the_engine_runs_each_family()
    {
        // 2 layers × K and V × one KV head × head size (16, or Qwen3's key_length 32) × 2 bytes.
        foreach (var (model, arch, kv) in new[] { ("qwen2-tiny-f16.gguf", "qwen2", 128), ("qwen3-tiny-f16.gguf", "qwen3", 256), ("llama3-tiny-f16.gguf", "llama", 128) })
        {
            var (exit, stdout, stderr) = Cli.Run("info", Fixtures.Model(model));
            Assert.True(exit == 0, stderr);
            Assert.Contains($"runs here:       yes ({arch}; KV cache {kv} bytes per token at F16)", stdout);
        }
    }

    [Fact]
    public void Json_output_has_the_llama_cpp_figures()
    {
        var (exit, stdout, _) = Cli.Run("info", Fixtures.Model("tiny-tied-f16.gguf"), "--json");
        Assert.Equal(0, exit);
        using var doc = JsonDocument.Parse(stdout);
        var r = doc.RootElement;
        Assert.Equal("llama", r.GetProperty("architecture").GetString());
        Assert.Equal(32000, r.GetProperty("vocab_size").GetInt64());
        Assert.Equal(256, r.GetProperty("embedding_length").GetInt64());
        Assert.Equal(4, r.GetProperty("head_count").GetInt64());
        Assert.Equal(1, r.GetProperty("head_count_kv").GetInt64());
        Assert.Equal(512, r.GetProperty("feed_forward_length").GetInt64());
        Assert.Equal(10000, r.GetProperty("rope_freq_base").GetDouble());
        long perType = r.GetProperty("bytes_per_type").EnumerateObject().Sum(p => p.Value.GetInt64());
        Assert.Equal(r.GetProperty("tensor_bytes").GetInt64(), perType);
    }

    [Fact]
    public void Bad_file_gives_one_error_line_and_exit_code_2()
    {
        string path = Path.GetTempFileName();
        try
        {
            var bytes = File.ReadAllBytes(Fixtures.Model("stories260K.gguf"));
            File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
            var (exit, stdout, stderr) = Cli.Run("info", path);
            Assert.Equal(2, exit);
            Assert.Equal("", stdout);
            Assert.StartsWith("error: ", stderr);
            Assert.Single(stderr.TrimEnd('\n').Split('\n'));
            Assert.Contains("truncated", stderr);
        }
        finally { File.Delete(path); }
    }

    [Theory]
    [InlineData("info")]
    [InlineData("info", "/no/such/file.gguf")]
    [InlineData("info", "a.gguf", "--bogus")]
    [InlineData("frobnicate")]
    public void Usage_errors_exit_2(params string[] args)
    {
        var (exit, _, stderr) = Cli.Run(args);
        Assert.Equal(2, exit);
        Assert.StartsWith("error: ", stderr);
    }
}
