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
}
