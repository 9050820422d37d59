namespace EdgeLlm.Tests.Daemon;

[Collection("console")]
public class StatusCommandTests
{
    [Fact]
    public async Task Status_prints_state_figures_and_guards()
    {
        await using var daemon = await TestDaemon.StartAsync(configure: c => c with { Thermal = new EdgeLlm.Guards.ThermalSettings { SensorPath = "/no/such/sensor" } });
        var (exit, stdout, stderr) = Cli.Run("status", "--socket", daemon.Config.SocketPath);
        Assert.True(exit == 0, stderr);
        Assert.Contains("state:      ready", stdout);
        Assert.Contains("model:      stories260K.gguf", stdout);
        Assert.Contains("thermal:    disabled (no sensor)", stdout);
        Assert.Contains("memory:     ok (", stdout);
        Assert.Matches(@"uptime:     \d+ s\n", stdout.Replace("\r", ""));

        (exit, stdout, _) = Cli.Run("status", "--socket", daemon.Config.SocketPath, "--json");
        Assert.Equal(0, exit);
        Assert.Contains("\"guards\":{", stdout);
    }

    [Fact]
    public void Status_without_a_daemon_is_a_clear_error()
    {
        var (exit, _, stderr) = Cli.Run("status", "--socket", "/tmp/edgellm-no-such.sock");
        Assert.Equal(1, exit);
        Assert.StartsWith("error: there is no socket at /tmp/edgellm-no-such.sock", stderr);
    }
}

[Collection("console")]
public class DaemonSocketProblemTests
{
    [Fact]
    public void A_path_that_is_no_socket_and_a_socket_nobody_listens_on_are_told_apart()
    {
        string file = Path.GetTempFileName();
        string stale = TestDaemon.NewSocketPath();
        try
        {
            var (exit, _, stderr) = Cli.Run("status", "--socket-path", file);
            Assert.Equal(1, exit);
            Assert.Equal($"error: {file} is a regular file, not the daemon's socket", stderr.TrimEnd());

            // A socket file as a daemon that died leaves it: bound, nobody listening.
            using var s = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
            s.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(stale));
            (exit, _, stderr) = Cli.Run("ask", "hi", "--socket-path", stale);
            Assert.Equal(1, exit);
            Assert.StartsWith($"error: nothing listens on {stale}", stderr);
        }
        finally
        {
            File.Delete(file);
            File.Delete(stale);
        }
    }

    [Fact]
    public void A_permission_error_says_so_and_names_the_group_to_join()
    {
        // Needs another user than root to be refused: runs the CLI as nobody where runuser exists (as root in CI).
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root" || !File.Exists("/usr/sbin/runuser") && !File.Exists("/sbin/runuser")) return;
        string dir = Directory.CreateTempSubdirectory("edgellm-perm-").FullName;
        File.SetUnixFileMode(dir, (UnixFileMode)Convert.ToInt32("755", 8));
        string path = Path.Combine(dir, "e.sock");
        try
        {
            using var listener = EdgeLlm.Native.UnixListener.Bind(path);
            listener.Listen(1);
            File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32("660", 8)); // root:root, closed to others
            var start = new System.Diagnostics.ProcessStartInfo("runuser") { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (string a in new[] { "-u", "nobody", "--", "dotnet", Path.Combine(AppContext.BaseDirectory, "edgellm.dll"), "status", "--socket-path", path })
                start.ArgumentList.Add(a);
            start.Environment["HOME"] = Path.GetTempPath();
            start.Environment["DOTNET_CLI_HOME"] = Path.GetTempPath();
            using var p = System.Diagnostics.Process.Start(start)!;
            string stderr = p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.Equal(1, p.ExitCode);
            Assert.Equal($"error: permission denied on {path}: join the group 'root' (sudo usermod -aG root $USER, then log in again)", stderr.Trim());
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
