using EdgeLlm.Core.Prompts;
using EdgeLlm.Tests.Daemon;

namespace EdgeLlm.Tests.Commands;

/// <summary>Help, version, llama.cpp's short flags, strict arguments and the one socket option name.</summary>
[Collection("console")]
public class CommandLineTests
{
    private static string Stories => Fixtures.Model("stories260K.gguf");

    [Theory]
    [InlineData("info")]
    [InlineData("tokenize")]
    [InlineData("eval")]
    [InlineData("run")]
    [InlineData("synth")]
    [InlineData("bench")]
    [InlineData("selftest")]
    [InlineData("serve")]
    [InlineData("ask")]
    [InlineData("status")]
    [InlineData("pull")]
    [InlineData("list")]
    [InlineData("rm")]
    public void Every_command_prints_its_usage_for_help_and_h(string command)
    {
        foreach (string help in new[] { "--help", "-h" })
        {
            var (exit, stdout, stderr) = Cli.Run(command, help);
            Assert.True(exit == 0, $"{command} {help}: {stderr}");
            Assert.StartsWith($"usage: edgellm {command}", stdout);
            Assert.Equal("", stderr);
        }
        // Also after other options, as llama.cpp and ollama users type it.
        var (exit2, stdout2, _) = Cli.Run(command, "--json", "-h");
        Assert.Equal(0, exit2);
        Assert.StartsWith($"usage: edgellm {command}", stdout2);
    }

    [Fact]
    public void Help_lists_every_template_and_every_option()
    {
        string run = Cli.Run("run", "--help").Out;
        foreach (string name in ChatTemplates.Names) Assert.Contains(name, run);
        foreach (string option in new[] { "--prompt-file", "--input", "--repeat-last-n", "--frequency-penalty", "--presence-penalty", "--stop", "--weight-cache" })
            Assert.Contains(option, run);
        Assert.Contains("--fixtures", Cli.Run("selftest", "--help").Out);
        Assert.Contains("--thermal-sensor", Cli.Run("bench", "--help").Out);
        Assert.Contains("--socket-path", Cli.Run("status", "--help").Out);
        string serve = Cli.Run("serve", "--help").Out;
        foreach (var (key, _) in EdgeLlm.Config.ConfigLoader.Keys) Assert.Contains("--" + key.Replace('_', '-'), serve);
        string overview = Cli.Run("--help").Out;
        foreach (string command in new[] { "info", "run", "serve", "ask", "status", "selftest" }) Assert.Contains($"  {command} ", overview);
    }

    [Fact]
    public void Version_names_the_version_the_commit_and_the_instruction_set()
    {
        var (exit, stdout, _) = Cli.Run("--version");
        Assert.Equal(0, exit);
        Assert.Matches(@"^edgellm \d+\.\d+\.\d+ \(commit [0-9a-f]{7,12}, built for .+, kernels \S+\)", stdout);
    }

    [Fact]
    public void Llama_cpp_short_flags_mean_the_same_thing()
    {
        var (exit, stdout, stderr) = Cli.Run("run", "-m", Stories, "-p", "Once upon a time", "--template", "raw", "--temp", "0", "-n", "5", "-t", "1", "-c", "64", "-s", "7");
        Assert.True(exit == 0, stderr);
        Assert.Contains(" 5 tokens at", stderr);
        Assert.StartsWith(", there was", stdout);

        string prompt = Path.GetTempFileName();
        try
        {
            File.WriteAllText(prompt, "Once upon a time");
            (exit, stdout, stderr) = Cli.Run("run", "-m", Stories, "-f", prompt, "--template", "raw", "--temp", "0", "-n", "3");
            Assert.True(exit == 0, stderr);
            Assert.Contains(" 3 tokens at", stderr);
            (exit, stdout, stderr) = Cli.Run("tokenize", "-m", Stories, "-f", prompt, "--json");
            Assert.True(exit == 0, stderr);
            Assert.Equal(Cli.Run("tokenize", "-m", Stories, "-p", "Once upon a time", "--json").Out, stdout);
        }
        finally { File.Delete(prompt); }
    }

    [Theory]
    [InlineData("unexpected argument 'stray'", "run", "-m", "MODEL", "-p", "hi", "stray")]
    [InlineData("unknown option -x", "run", "-m", "MODEL", "-p", "hi", "-x", "5")]
    [InlineData("unknown option -n", "info", "MODEL", "-n", "5")]
    [InlineData("unexpected argument 'extra'", "selftest", "extra")]
    [InlineData("unexpected argument 'extra'", "status", "extra")]
    [InlineData("unknown option --max-token", "run", "-m", "MODEL", "-p", "hi", "--max-token", "5")]
    [InlineData("--temp must be a number from 0 to 100, got '-1'", "run", "-m", "MODEL", "-p", "hi", "--temp", "-1")]
    public void Anything_unrecognised_is_an_error(string message, params string[] args)
    {
        args = args.Select(a => a == "MODEL" ? Stories : a).ToArray();
        var (exit, stdout, stderr) = Cli.Run(args);
        Assert.Equal(2, exit);
        Assert.Equal("", stdout);
        Assert.Equal($"error: {message}", stderr.TrimEnd());
    }

    [Fact]
    public async Task Socket_path_is_one_name_on_every_command_with_socket_kept_as_an_alias()
    {
        await using var daemon = await TestDaemon.StartAsync();
        foreach (string option in new[] { "--socket-path", "--socket" })
        {
            var (exit, _, stderr) = Cli.Run("status", option, daemon.Config.SocketPath);
            Assert.True(exit == 0, stderr);
            (exit, _, stderr) = Cli.Run("ask", "Once upon a time", option, daemon.Config.SocketPath, "-n", "2");
            Assert.True(exit == 0, stderr);
            // serve takes the same spelling: a relative path is refused by name, proving the option was understood.
            (exit, _, stderr) = Cli.Run("serve", "--model", Stories, option, "relative.sock");
            Assert.Equal(2, exit);
            Assert.Contains("socket_path: must be an absolute path", stderr);
        }
    }

    [Theory]
    [InlineData("auto", 0)]
    [InlineData("Auto", 0)]
    [InlineData("3", 3)]
    public void Threads_flags_take_auto_or_a_count(string value, int expected)
    {
        var a = new EdgeLlm.Commands.ArgReader(["-t", value], new HashSet<string>(), EdgeLlm.Commands.CliAliases.Bench);
        Assert.Equal(expected, a.GetThreads());
        Assert.Equal(EdgeLlm.Core.Model.ModelOptions.AutoThreads, new EdgeLlm.Commands.ArgReader([], new HashSet<string>()).GetThreads());
    }

    [Fact]
    public void A_bad_threads_flag_names_the_flag_and_the_rule()
    {
        var (exit, _, stderr) = Cli.Run("bench", "--model", Stories, "--threads", "0");
        Assert.NotEqual(0, exit);
        Assert.Contains("--threads must be auto or an integer from 1 to 256, got '0'", stderr);
    }

    [Fact]
    public void Bench_measures_runs_shorter_than_its_warm_up()
    {
        var (exit, stdout, stderr) = Cli.Run("bench", "--model", Stories, "--threads", "1", "--pp", "0", "--tg", "4", "--reps", "1", "--weight-cache", "off");
        Assert.True(exit == 0, stderr);
        Assert.Contains("tg4:", stdout);
    }
}
