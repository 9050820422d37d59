using System.Diagnostics;

namespace EdgeLlm.Tests.Commands;

/// <summary><c>edgellm run ... | head -c 20</c>: once nobody reads stdout, the generation stops instead of running on unseen.</summary>
public class ClosedStdoutTests
{
    [Fact]
    public void Run_stops_generating_when_stdout_is_closed()
    {
        string edgellm = Path.Combine(AppContext.BaseDirectory, "edgellm.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { edgellm, "run", "-m", Fixtures.Model("stories260K.gguf"), "-p", "Once upon a time", "--template", "raw",
                     "--temp", "0", "-n", "400", "--threads", "1" })
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        // The reader leaves before the first token, as `head` does after its bytes.
        process.StandardOutput.Close();
        string stderr = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(60_000), "edgellm run did not exit");

        Assert.Contains("finish: cancelled", stderr);
        Assert.DoesNotContain(" 400 tokens", stderr);
        Assert.Equal(1, process.ExitCode);
    }
}
