using EdgeLlm.Commands;
using EdgeLlm.Models;

namespace EdgeLlm.Tests.Models;

public class ModelSourceParserTests
{
    private static readonly ModelEndpoints Hub = ModelEndpoints.Default;

    [Fact]
    public void Curated_name_is_its_Hugging_Face_file_stored_under_the_short_name()
    {
        var s = ModelSourceParser.Parse("llama3.2-1b", Hub);
        Assert.Equal((ModelSourceKind.HuggingFace, "llama3.2-1b"), (s.Kind, s.StoreName));
        Assert.Equal("https://huggingface.co/bartowski/Llama-3.2-1B-Instruct-GGUF/resolve/main/Llama-3.2-1B-Instruct-Q4_K_M.gguf", s.Url!.AbsoluteUri);
    }

    [Theory]
    [InlineData("hf:Qwen/Qwen2.5-1.5B-Instruct-GGUF/qwen2.5-1.5b-instruct-q4_k_m.gguf", "https://huggingface.co/Qwen/Qwen2.5-1.5B-Instruct-GGUF/resolve/main/qwen2.5-1.5b-instruct-q4_k_m.gguf", "qwen2.5-1.5b-instruct-q4_k_m")]
    [InlineData("hf:o/r/sub/dir/M.gguf@abc123", "https://huggingface.co/o/r/resolve/abc123/sub/dir/M.gguf", "M")]
    [InlineData("https://huggingface.co/o/r/blob/main/M-Q4_0.gguf", "https://huggingface.co/o/r/resolve/main/M-Q4_0.gguf", "M-Q4_0")]
    [InlineData("https://huggingface.co/o/r/resolve/v2/M.gguf?download=true", "https://huggingface.co/o/r/resolve/v2/M.gguf", "M")]
    public void Hugging_Face_sources_become_resolve_urls(string text, string url, string name)
    {
        var s = ModelSourceParser.Parse(text, Hub);
        Assert.Equal((ModelSourceKind.HuggingFace, url, name), (s.Kind, s.Url!.AbsoluteUri, s.StoreName));
    }

    [Fact]
    public void Hugging_Face_endpoint_override_applies_to_web_urls_too()
    {
        var mirror = new ModelEndpoints(new Uri("http://127.0.0.1:9"), new Uri("http://127.0.0.1:10"));
        Assert.Equal("http://127.0.0.1:9/o/r/resolve/main/M.gguf", ModelSourceParser.Parse("https://huggingface.co/o/r/blob/main/M.gguf", mirror).Url!.AbsoluteUri);
        Assert.Equal("http://127.0.0.1:9/o/r/resolve/main/M.gguf", ModelSourceParser.Parse("hf:o/r/M.gguf", mirror).Url!.AbsoluteUri);
        Assert.Equal("http://127.0.0.1:10/v2/library/llama3.2/manifests/1b", mirror.OllamaManifest("library/llama3.2", "1b").AbsoluteUri);
    }

    [Theory]
    [InlineData("llama3.2:1b", "library/llama3.2", "1b", "llama3.2_1b")]
    [InlineData("llama3.2", "library/llama3.2", "latest", "llama3.2_latest")]
    [InlineData("someone/model:q4", "someone/model", "q4", "someone-model_q4")]
    public void Ollama_names_map_to_registry_repositories(string text, string repo, string tag, string name)
    {
        var s = ModelSourceParser.Parse(text, Hub);
        Assert.Equal((ModelSourceKind.Ollama, repo, tag, name), (s.Kind, s.Repository, s.Tag, s.StoreName));
    }

    [Fact]
    public void Plain_url_is_named_after_its_file()
    {
        var s = ModelSourceParser.Parse("https://example.org/files/my-model.Q4_0.gguf", Hub);
        Assert.Equal((ModelSourceKind.Url, "my-model.Q4_0"), (s.Kind, s.StoreName));
    }

    [Theory]
    [InlineData("Not A Source")]
    [InlineData("hf:onlyowner/file.gguf")]
    [InlineData("hf:o/r/")]
    public void Bad_sources_are_one_line_errors(string text)
    {
        var e = Assert.Throws<ArgumentException>(() => ModelSourceParser.Parse(text, Hub));
        Assert.Contains(text.Trim(), e.Message);
    }

    [Fact]
    public void Progress_on_a_terminal_rewrites_one_line_with_rate_and_time_left()
    {
        var output = new StringWriter();
        var printer = new PullProgressPrinter(output, terminal: true);
        printer.Report(new PullProgress(PullProgress.Downloading, 0, 4L << 20));
        printer.Report(new PullProgress(PullProgress.Downloading, 2L << 20, 4L << 20));
        printer.Report(new PullProgress(PullProgress.Verifying, 4L << 20, 4L << 20));
        string text = output.ToString();
        Assert.Equal(2, text.Count(c => c == '\r'));
        Assert.Contains("\rdownloading 2.0 of 4.0 MiB (50%), ", text);
        Assert.Contains(" left", text);
        Assert.EndsWith("\nverifying sha256 digest\n", text.Replace("\r\n", "\n"));
    }

    [Fact]
    public void Progress_off_a_terminal_is_one_line_per_ten_percent()
    {
        var output = new StringWriter();
        var printer = new PullProgressPrinter(output, terminal: false);
        printer.Report(new PullProgress(PullProgress.PullingManifest));
        for (long done = 0; done <= 1000; done += 7) printer.Report(new PullProgress(PullProgress.Downloading, done, 1000));
        printer.Report(new PullProgress(PullProgress.Downloading, 1000, 1000));
        printer.Report(new PullProgress(PullProgress.Success));
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(13, lines.Length); // pulling manifest, 0%..100% (11 lines), success
        Assert.DoesNotContain('\r', output.ToString());
    }
}
