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
