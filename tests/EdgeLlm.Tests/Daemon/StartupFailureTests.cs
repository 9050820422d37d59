using EdgeLlm.Config;
using EdgeLlm.Hosting;
using EdgeLlm.Tests.Mqtt;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeLlm.Tests.Daemon;

/// <summary>
/// Start-up failures exit 2 (the unit's RestartPreventExitStatus, so systemd does not retry them every 5 s) with one
/// line that names the config key, the file and where the value came from; nothing hangs on a FIFO.
/// </summary>
[Collection("console")]
public class StartupFailureTests
{
    private static string Stories => Fixtures.Model("stories260K.gguf");

    /// <summary>Fails instead of hanging the test run when the command blocks (as open(2) of a FIFO does).</summary>
    private static (int Exit, string Out, string Err) Within(Func<(int, string, string)> command)
    {
        var run = Task.Run(command);
        Assert.True(run.Wait(TimeSpan.FromSeconds(30)), "the command did not return");
        return run.Result;
    }

    private static (int Exit, string Err) Serve(params string[] args)
    {
        string? saved = Environment.GetEnvironmentVariable("EDGELLM_CONFIG");
        Environment.SetEnvironmentVariable("EDGELLM_CONFIG", "");
        try
        {
            var (exit, _, err) = Within(() => Cli.Run(["serve", "--thermal", "false", .. args]));
            return (exit, err.Trim().Split('\n')[^1]);
        }
        finally { Environment.SetEnvironmentVariable("EDGELLM_CONFIG", saved); }
    }

    [Fact]
    public void A_file_that_is_not_gguf_names_the_key_the_file_and_the_source()
    {
        string readme = Path.Combine(Fixtures.RepoRoot, "README.md");
        var (exit, err) = Serve("--model", readme, "--socket-path", TestDaemon.NewSocketPath());
        Assert.Equal(2, exit);
        Assert.Equal($"error: model: {readme}: not a GGUF file (bad magic) (from --model)", err);
    }

    [Fact]
    public void A_truncated_model_exits_2_naming_the_file()
    {
        string truncated = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(truncated, File.ReadAllBytes(Stories)[..100_000]);
            var (exit, err) = Serve("--model", truncated, "--socket-path", TestDaemon.NewSocketPath());
            Assert.Equal(2, exit);
            Assert.StartsWith($"error: model: {truncated}: ", err);
            Assert.Contains("truncated", err);
            Assert.EndsWith("(from --model)", err);
        }
        finally { File.Delete(truncated); }
    }

    [Fact]
    public void An_unknown_socket_group_exits_2()
    {
        var (exit, err) = Serve("--model", Stories, "--socket-path", TestDaemon.NewSocketPath(), "--socket-group", "nosuchgroup-edgellm");
        Assert.Equal(2, exit);
        Assert.Equal("error: socket_group: there is no group 'nosuchgroup-edgellm' (from --socket-group)", err);
    }

    [Fact]
    public void A_socket_directory_that_does_not_exist_is_refused_and_not_created()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"edgellm-nodir-{Guid.NewGuid():N}"[..24]);
        var (exit, err) = Serve("--model", Stories, "--socket-path", Path.Combine(dir, "e.sock"));
        Assert.Equal(2, exit);
        Assert.StartsWith($"error: socket_path: the directory {dir} does not exist", err);
        Assert.False(Directory.Exists(dir));

        // Under a regular file: no directory can be made there at all.
        string file = Path.GetTempFileName();
        try
        {
            (exit, err) = Serve("--model", Stories, "--socket-path", Path.Combine(file, "e.sock"));
            Assert.Equal(2, exit);
            Assert.Equal($"error: socket_path: {file} is a regular file, not a directory (from --socket-path)", err);
        }
        finally { File.Delete(file); }
    }

    [Fact]
    public void A_directory_as_the_model_says_it_is_a_directory()
    {
        string dir = Path.GetTempPath().TrimEnd('/');
        var (exit, err) = Serve("--model", dir, "--socket-path", TestDaemon.NewSocketPath());
        Assert.Equal(2, exit);
        Assert.Equal($"model: {dir} is a directory, not a GGUF file (from --model)", err.Trim());
        foreach (string[] args in new[] { new[] { "run", "-m", dir, "-p", "hi" }, ["info", dir], ["tokenize", "-m", dir, "-p", "hi"] })
        {
            var r = Cli.Run(args);
            Assert.Equal(2, r.Exit);
            Assert.Equal($"error: {dir} is a directory, not a GGUF file", r.Err.Trim());
        }
    }

    [Fact]
    public void A_fifo_as_the_model_or_the_socket_is_refused_by_its_type_without_opening_it()
    {
        string fifo = Path.Combine(Path.GetTempPath(), $"edgellm-fifo-{Guid.NewGuid():N}"[..24]);
        Assert.Equal(0, MakeFifo(fifo));
        try
        {
            var info = Within(() => Cli.Run("info", fifo));
            Assert.Equal((2, $"error: {fifo} is a FIFO (named pipe), not a regular GGUF file"), (info.Exit, info.Err.Trim()));

            var (exit, err) = Serve("--model", fifo, "--socket-path", TestDaemon.NewSocketPath());
            Assert.Equal((2, $"model: {fifo} is a FIFO (named pipe), not a regular GGUF file (from --model)"), (exit, err.Trim()));

            (exit, err) = Serve("--model", Stories, "--socket-path", fifo);
            Assert.Equal(2, exit);
            Assert.Equal($"error: socket_path: {fifo} exists and is a FIFO (named pipe), not a socket; remove it or choose another path (from --socket-path)", err);
        }
        finally { File.Delete(fifo); }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "mkfifo")]
    private static extern int MakeFifo(string path, int mode = 0x180);
}

[Collection("daemon")]
public class SocketOwnershipTests
{
    [Fact]
    public async Task Stopping_one_daemon_leaves_the_socket_another_daemon_bound_on_the_same_path()
    {
        string path = TestDaemon.NewSocketPath();
        using var a = DaemonHost.Build(TestDaemon.BaseConfig(path), s => s.AddSingleton<EngineLoader>(() => SlowEngine.Create(TimeSpan.Zero)));
        await a.StartAsync();
        File.Delete(path);
        using var b = DaemonHost.Build(TestDaemon.BaseConfig(path), s => s.AddSingleton<EngineLoader>(() => SlowEngine.Create(TimeSpan.Zero)));
        await b.StartAsync();
        try
        {
            await a.StopAsync();
            Assert.True(File.Exists(path), "stopping A removed B's socket");
            using var client = new TestClient(path);
            client.Send("""{"op":"status","id":"s"}""");
            Assert.Equal("ready", (await client.ReadOneAsync()).Str("state"));
        }
        finally
        {
            await b.StopAsync();
        }
        Assert.False(File.Exists(path), "B removes its own socket");
    }

    [Fact]
    public async Task A_stale_socket_replaced_at_start_is_logged()
    {
        string path = TestDaemon.NewSocketPath();
        // What a crash leaves: a socket file nobody listens on (bound natively, so disposing does not remove it).
        EdgeLlm.Native.UnixListener.Bind(path).Dispose();
        Assert.True(File.Exists(path));
        var log = new TestLog();
        using var host = DaemonHost.Build(TestDaemon.BaseConfig(path), s =>
        {
            s.AddSingleton<EngineLoader>(() => SlowEngine.Create(TimeSpan.Zero));
            s.AddSingleton<ILoggerProvider>(new TestLogProvider(log));
        });
        await host.StartAsync();
        try
        {
            Assert.Contains(log.Lines, l => l.StartsWith("Warning: replacing stale socket file " + path, StringComparison.Ordinal));
        }
        finally { await host.StopAsync(); }
    }
}
