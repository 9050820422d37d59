namespace EdgeLlm.Tests.Daemon;

/// <summary><c>edgellm ask</c> with --json-schema / --grammar-file / --format json against a running daemon.</summary>
[Collection("console")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ConstrainedAskTests
{
    [Fact]
    public async Task Ask_sends_the_constraint_and_shows_the_daemons_refusal()
    {
        await using var daemon = await TestDaemon.StartAsync();
        string dir = Directory.CreateTempSubdirectory("edgellm-ask-").FullName;
        try
        {
            string schema = Path.Combine(dir, "s.json");
            File.WriteAllText(schema, """{"enum":["yes","no"]}""");
            var (exit, stdout, stderr) = Cli.Run("ask", "Is it on?", "--socket", daemon.Config.SocketPath, "--temp", "1", "--seed", "2", "--json-schema", schema);
            Assert.True(exit == 0, stderr);
            Assert.Matches("^\"(yes|no)\" ?\n$", stdout);

            string grammar = Path.Combine(dir, "g.gbnf");
            File.WriteAllText(grammar, "root ::= \"a\" (\n");
            (exit, _, stderr) = Cli.Run("ask", "x", "--socket", daemon.Config.SocketPath, "--grammar-file", grammar);
            Assert.Equal(1, exit);
            Assert.Contains("bad_request: grammar: ", stderr);
            Assert.Contains("at line 2, column 1", stderr);

            (exit, stdout, stderr) = Cli.Run("ask", "x", "--socket", daemon.Config.SocketPath, "--format", "json", "--temp", "1", "--seed", "1", "--max-tokens", "8");
            Assert.True(exit == 0, stderr);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
