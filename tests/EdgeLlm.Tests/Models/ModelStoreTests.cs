using EdgeLlm.Config;
using EdgeLlm.Core.Model;
using EdgeLlm.Models;

namespace EdgeLlm.Tests.Models;

/// <summary>The model store: list, rm, partial downloads, and model names in --model and the config key.</summary>
[Collection("console")]
public sealed class ModelStoreTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "edgellm-store-" + Guid.NewGuid().ToString("N"));
    private readonly ModelStore _store;

    public ModelStoreTests()
    {
        _store = new ModelStore(Path.Combine(_root, "models"));
        Directory.CreateDirectory(_store.Directory);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Add(string name)
    {
        File.Copy(Fixtures.Model("stories260K.gguf"), _store.PathFor(name));
        return _store.PathFor(name);
    }

    [Fact]
    public void Config_key_model_takes_a_store_name()
    {
        Add("stories");
        var env = new Dictionary<string, string> { ["EDGELLM_CONFIG"] = "" };
        var c = ConfigLoader.Load(null, new Dictionary<string, string> { ["model"] = "stories", ["models-dir"] = _store.Directory }, env);
        Assert.Equal(_store.PathFor("stories"), c.ModelPath);

        var e = Assert.Throws<ConfigException>(() =>
            ConfigLoader.Load(null, new Dictionary<string, string> { ["model"] = "absent", ["models-dir"] = _store.Directory }, env));
        Assert.Contains($"model: no file and no model named 'absent' in the store {_store.Directory} (see edgellm list) (from --model)", e.Problems);
    }

    [Fact]
    public void List_shows_models_and_incomplete_downloads_apart()
    {
        Add("stories");
        File.WriteAllBytes(_store.PartialPathFor("half"), new byte[1000]);
        new PartialRecord("http://127.0.0.1/half.gguf", 4000, null).Write(_store.RecordPathFor("half"));

        var (exit, stdout, stderr) = Cli.Run("list", "--models-dir", _store.Directory);
        Assert.True(exit == 0, stderr);
        Assert.Matches(@"stories\s+0\.00 GB llama\s+\S+\s+\d{4}-\d\d-\d\d \d\d:\d\d", stdout);
        Assert.Contains("incomplete download: half, 0.00 GB of 0.00 GB (25%)", stdout);
        Assert.Equal(["stories"], _store.List().Select(m => m.Name));
        Assert.Equal("half", ModelStore.ResolveModelSetting("half", _store.Directory)); // a partial file is never a model
    }

    [Fact]
    public void Empty_store_says_how_to_get_a_model()
    {
        var (exit, stdout, _) = Cli.Run("list", "--models-dir", Path.Combine(_root, "none"));
        Assert.Equal(0, exit);
        Assert.Contains("no models in", stdout);
        Assert.Contains("edgellm pull --list", stdout);
    }

    [Fact]
    public void Rm_deletes_the_model_its_weight_cache_and_its_partial_download()
    {
        string model = Add("stories");
        File.WriteAllBytes(_store.PartialPathFor("stories"), new byte[10]);
        string cacheDir = Path.Combine(_root, "cache");
        Directory.CreateDirectory(cacheDir);
        string cacheFile = Path.Combine(cacheDir, InterleavedWeightCache.FileNameFor(model));
        File.WriteAllText(cacheFile, "cache");

        var (exit, stdout, stderr) = Cli.Run("rm", "stories", "--models-dir", _store.Directory, "--weight-cache", cacheDir);
        Assert.True(exit == 0, stderr);
        Assert.Contains($"deleted {model}", stdout);
        Assert.Contains($"deleted {cacheFile}", stdout);
        Assert.Empty(Directory.GetFiles(_store.Directory));
        Assert.Empty(Directory.GetFiles(cacheDir));

        (exit, _, stderr) = Cli.Run("rm", "stories", "--models-dir", _store.Directory);
        Assert.Equal(2, exit);
        Assert.Equal($"error: no model named 'stories' in {_store.Directory} (see edgellm list)\n", stderr);
    }

    [Fact]
    public void Run_takes_a_store_name_for_model()
    {
        Add("stories");
        var (exit, stdout, stderr) = Cli.Run("run", "--model", "stories", "--models-dir", _store.Directory, "--template", "raw",
            "--prompt", "Once upon a time", "--temp", "0", "--max-tokens", "4", "--weight-cache", "off");
        Assert.True(exit == 0, stderr);
        Assert.True(stdout.Trim().Length > 0);
    }

    [Fact]
    public void Default_location_follows_systemd_then_xdg()
    {
        Assert.Equal("/x/models", ModelStoreLocation.Resolve("/x/models"));
        Assert.EndsWith(Path.Combine("edgellm", "models"), ModelStoreLocation.Resolve(null));
    }

    [Theory]
    [InlineData("../x", false)]
    [InlineData(".hidden", false)]
    [InlineData("a/b", false)]
    [InlineData("llama3.2-1b", true)]
    [InlineData("Qwen3-1.7B-Q4_K_M", true)]
    public void Store_names_cannot_leave_the_store(string name, bool valid) => Assert.Equal(valid, ModelName.IsValid(name));

    [Theory]
    [InlineData("rm", "../etc/passwd")]
    [InlineData("rm")]
    [InlineData("list", "extra")]
    public void Usage_errors_exit_2_with_one_line(params string[] args)
    {
        var (exit, _, stderr) = Cli.Run(args);
        Assert.Equal(2, exit);
        Assert.StartsWith("error: ", stderr);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
    }
}
