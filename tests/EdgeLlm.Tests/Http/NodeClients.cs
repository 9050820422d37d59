using System.Diagnostics;

namespace EdgeLlm.Tests.Http;

/// <summary>
/// Runs a script of tests/node (the real ollama-js and openai npm clients) against a daemon. .ci/run installs the
/// packages (npm ci in tests/node). Without node or the packages the tests pass with a note on a developer's machine,
/// and fail loudly under CI=true.
/// </summary>
internal static class NodeClients
{
    public static string Folder => Path.Combine(Fixtures.RepoRoot, "tests", "node");

    /// <summary>Null when node and the packages are there; otherwise why not (and under CI a failure).</summary>
    public static string? Missing()
    {
        string? problem = FindNode() is null ? "node is not on PATH"
            : !Directory.Exists(Path.Combine(Folder, "node_modules", "ollama")) || !Directory.Exists(Path.Combine(Folder, "node_modules", "openai"))
                ? $"the npm packages are not installed: run npm ci in {Folder}"
                : null;
        if (problem is not null && Environment.GetEnvironmentVariable("CI") == "true")
            Assert.Fail($"CI needs the real HTTP clients, but {problem}");
        return problem;
    }

    public static async Task RunAsync(string script, Uri baseUri, string model = HttpDaemon.ModelName, string? key = null)
    {
        var start = new ProcessStartInfo(FindNode()!, [script])
        {
            WorkingDirectory = Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["EDGELLM_URL"] = baseUri.ToString().TrimEnd('/');
        start.Environment["EDGELLM_MODEL"] = model;
        start.Environment["EDGELLM_KEY"] = key ?? "";
        start.Environment["NO_PROXY"] = "127.0.0.1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"node {script} did not finish in 60 s:\n{await stdout}\n{await stderr}");
        }
        Assert.True(process.ExitCode == 0, $"node {script} failed ({process.ExitCode}):\n{await stdout}\n{await stderr}");
    }

    private static string? FindNode()
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, "node");
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}
