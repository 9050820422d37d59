namespace EdgeLlm.Tests.Daemon;

[Collection("console")]
public class AskCommandTests
{
    [Fact]
    public async Task Ask_streams_the_answer_to_stdout_and_figures_to_stderr()
    {
        await using var daemon = await TestDaemon.StartAsync();
        var (exit, stdout, stderr) = Cli.Run("ask", "Once upon a time", "--socket", daemon.Config.SocketPath, "--temp", "0", "--max-tokens", "12");
        Assert.True(exit == 0, stderr);
        Assert.StartsWith(", there was a little girl", stdout);
        Assert.Contains("12 tokens at", stderr);
        Assert.Contains("finish: length", stderr);

        (exit, stdout, _) = Cli.Run("ask", "Once upon a time", "--socket", daemon.Config.SocketPath, "--temp", "0", "--max-tokens", "4", "--json");
        Assert.Equal(0, exit);
        Assert.Contains("\"done\":true", stdout);
    }

    [Fact]
    public async Task Ask_reports_error_replies_and_a_missing_daemon()
    {
        await using var daemon = await TestDaemon.StartAsync();
        var (exit, _, stderr) = Cli.Run("ask", "hi", "--socket", daemon.Config.SocketPath, "--template", "nope");
        Assert.Equal(1, exit);
        Assert.StartsWith("error: bad_request: Unknown chat template 'nope'", stderr);

        (exit, _, stderr) = Cli.Run("ask", "hi", "--socket", TestDaemon.NewSocketPath());
        Assert.Equal(1, exit);
        Assert.StartsWith("error: there is no socket at", stderr);
    }

    [Fact]
    public async Task Ask_reads_the_question_from_stdin_and_takes_runs_sampling_options()
    {
        await using var daemon = await TestDaemon.StartAsync();
        var stdin = Console.In;
        Console.SetIn(new StringReader("Once upon a time\n"));
        try
        {
            var (exit, stdout, stderr) = Cli.Run("ask", "-", "--socket-path", daemon.Config.SocketPath, "--temp", "0.7", "--top-k", "1",
                "--top-p", "0.9", "--min-p", "0.1", "--repeat-penalty", "1", "--stop", "Lily", "-n", "30", "-s", "3");
            Assert.True(exit == 0, stderr);
            // top-k 1 is greedy whatever the temperature: the known story, cut before the stop string.
            Assert.Equal(", there was a little girl named", stdout.TrimEnd());
            Assert.Contains("finish: stop", stderr);
        }
        finally { Console.SetIn(stdin); }

        var refused = Cli.Run("ask", "hi", "--socket-path", daemon.Config.SocketPath, "--top-p", "0");
        Assert.Equal((2, "error: --top-p must be a number above 0 and at most 1, got '0'"), (refused.Exit, refused.Err.Trim()));
        refused = Cli.Run("ask", "two", "words", "--socket-path", daemon.Config.SocketPath);
        Assert.Equal(2, refused.Exit);
    }
}
