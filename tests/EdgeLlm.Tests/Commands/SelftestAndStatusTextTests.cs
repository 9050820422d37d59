using EdgeLlm.Commands;

namespace EdgeLlm.Tests.Commands;

[Collection("console")]
public class SelftestAndStatusTextTests
{
    [Fact]
    public void Selftest_without_fixtures_passes_its_built_in_checks_and_says_the_fixture_checks_did_not_run()
    {
        string? saved = Environment.GetEnvironmentVariable("EDGELLM_FIXTURES");
        Environment.SetEnvironmentVariable("EDGELLM_FIXTURES", null);
        var stdout = new StringWriter();
        var old = Console.Out;
        Console.SetOut(stdout);
        int exit;
        try
        {
            // A Pi with only the binary: nothing is found.
            exit = SelftestCommand.Run([], _ => null);
        }
        finally
        {
            Console.SetOut(old);
            Environment.SetEnvironmentVariable("EDGELLM_FIXTURES", saved);
        }
        string text = stdout.ToString();
        Assert.True(exit == 0, text);
        Assert.Contains("  skip  fixture and llama.cpp parity checks: not run", text);
        Assert.DoesNotContain("FAIL", text);
        Assert.Matches(@"selftest: [1-9]\d* passed, 0 failed, fixture checks not run", text);
    }

    [Fact]
    public void Fixtures_asked_for_by_name_and_missing_fail()
    {
        var (exit, stdout, _) = Cli.Run("selftest", "--fixtures", "/no/such/fixtures");
        Assert.Equal(1, exit);
        Assert.Contains("  FAIL  fixtures: /no/such/fixtures not found", stdout);
    }

    [Theory]
    [InlineData(2, "2 s")]
    [InlineData(65, "1 min 05 s")]
    [InlineData(2 * 3600 + 3 * 60 + 9, "2 h 03 min")]
    [InlineData(3 * 86400 + 4 * 3600, "3 d 04 h")]
    public void Uptime_reads_as_a_person_says_it(int seconds, string expected) =>
        Assert.Equal(expected, HumanDuration.Format(TimeSpan.FromSeconds(seconds)));
}
