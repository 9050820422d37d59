using EdgeLlm.Core.Model;
using EdgeLlm.Models;

namespace EdgeLlm.Tests.Models;

/// <summary>pull, list, rm and run on the command line, and the config key model naming a pulled model.</summary>
[Collection("console")]
public class PullCommandTests
{
    [Fact]
    public void Pulled_model_is_listed_runs_by_its_store_name_and_rm_deletes_it_with_its_weight_cache()
    {
        using var kit = new PullTestKit();
        string models = kit.Store.Directory;
        var (exit, stdout, stderr) = Cli.Run("pull", $"{kit.Server.BaseUri}{PullTestKit.Repo}/resolve/main/{PullTestKit.File}", "--models-dir", models, "--name", "tiny");
        Assert.True(exit == 0, stderr);
        Assert.Contains("name:          tiny", stdout);
        Assert.Contains("architecture:  llama", stdout);
        Assert.Contains("quant type:    ", stdout);
        Assert.Contains($"sha256:        {kit.Sha256} (verified against the server's X-Linked-Etag)", stdout);
        Assert.Contains("runs here:     yes (llama;", stdout);
        Assert.Contains("pulling manifest\n", stdout);
        Assert.Contains("downloading 1.1 of 1.1 MiB (100%)", stdout);

        (exit, stdout, stderr) = Cli.Run("list", "--models-dir", models);
        Assert.True(exit == 0, stderr);
        Assert.Matches(@"tiny\s+0\.00 GB llama\s+\S+\s+\d{4}-\d\d-\d\d \d\d:\d\d", stdout);

        (exit, stdout, stderr) = Cli.Run("run", "--model", "tiny", "--models-dir", models, "--template", "raw", "--prompt", "Once upon a time",
            "--temp", "0", "--max-tokens", "8", "--weight-cache", "off");
        Assert.True(exit == 0, stderr);
        Assert.True(stdout.Trim().Length > 0);
        Assert.Contains("8 tokens", stderr);

        string cacheDir = Path.Combine(kit.Root, "cache");
        Directory.CreateDirectory(cacheDir);
        string cacheFile = Path.Combine(cacheDir, InterleavedWeightCache.FileNameFor(kit.Store.PathFor("tiny")));
        File.WriteAllText(cacheFile, "cache");
        (exit, stdout, stderr) = Cli.Run("rm", "tiny", "--models-dir", models, "--weight-cache", cacheDir);
        Assert.True(exit == 0, stderr);
        Assert.Contains($"deleted {kit.Store.PathFor("tiny")}", stdout);
        Assert.Contains($"deleted {cacheFile}", stdout);
        Assert.False(File.Exists(cacheFile));
        Assert.Empty(kit.Store.List());

        (exit, _, stderr) = Cli.Run("rm", "tiny", "--models-dir", models);
        Assert.Equal(2, exit);
        Assert.Equal($"error: no model named 'tiny' in {models} (see edgellm list)\n", stderr);
    }

    [Fact]
    public void Hugging_Face_and_ollama_endpoints_come_from_the_environment()
    {
        using var kit = new PullTestKit();
        string base_ = kit.Server.BaseUri.AbsoluteUri;
        Environment.SetEnvironmentVariable(ModelEndpoints.HuggingFaceVariable, base_);
        Environment.SetEnvironmentVariable(ModelEndpoints.OllamaRegistryVariable, base_);
        try
        {
            var (exit, stdout, stderr) = Cli.Run("pull", $"hf:{PullTestKit.Repo}/{PullTestKit.File}", "--models-dir", kit.Store.Directory);
            Assert.True(exit == 0, stderr);
            Assert.Contains("verified against the server's X-Linked-Etag", stdout);
            (exit, stdout, stderr) = Cli.Run("pull", "tinystories:260k", "--models-dir", kit.Store.Directory);
            Assert.True(exit == 0, stderr);
            Assert.Contains("verified against the registry's digest", stdout);
            Assert.Equal(["stories260K", "tinystories_260k"], kit.Store.List().Select(m => m.Name));
        }
        finally
        {
            Environment.SetEnvironmentVariable(ModelEndpoints.HuggingFaceVariable, null);
            Environment.SetEnvironmentVariable(ModelEndpoints.OllamaRegistryVariable, null);
        }
    }

    [Fact]
    public void Pull_errors_are_one_line_naming_the_host()
    {
        using var kit = new PullTestKit();
        var (exit, stdout, stderr) = Cli.Run("pull", $"{kit.Server.BaseUri}{PullTestKit.Repo}/resolve/main/nope.gguf", "--models-dir", kit.Store.Directory);
        Assert.Equal(2, exit);
        Assert.Equal($"error: file not found (404 from 127.0.0.1:{kit.Server.Port}): {kit.Server.BaseUri}{PullTestKit.Repo}/resolve/main/nope.gguf\n", stderr);
    }

    [Theory]
    [InlineData("pull")]
    [InlineData("pull", "not a source!")]
    [InlineData("pull", "hf:owner-only")]
    [InlineData("pull", "llama3.2-1b", "--bogus", "1")]
    public void Usage_errors_exit_2_with_one_line(params string[] args)
    {
        var (exit, _, stderr) = Cli.Run(args);
        Assert.Equal(2, exit);
        Assert.StartsWith("error: ", stderr);
    }

    [Fact]
    public void Pull_list_prints_every_curated_model_and_where_checksums_come_from()
    {
        var (exit, stdout, _) = Cli.Run("pull", "--list");
        Assert.Equal(0, exit);
        foreach (var m in CuratedModels.All)
            Assert.Contains($"{m.Repository}/{m.File}", stdout);
        Assert.Contains("X-Linked-Etag", stdout);
        Assert.Contains("approximate", stdout);
    }
}
