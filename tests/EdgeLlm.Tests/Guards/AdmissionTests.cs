using EdgeLlm.Guards;

namespace EdgeLlm.Tests.Guards;

public class AdmissionTests
{
    [Fact]
    public void Thermal_admission_reports_state_and_refuses_only_when_configured()
    {
        var guard = new ThermalGuard(new ThermalSettings { RejectWhenPaused = true });
        var admission = new ThermalAdmission(guard);
        guard.Update(50);
        Assert.Equal("ok (50.0 °C)", admission.State);
        Assert.Null(admission.Check());
        guard.Update(77);
        Assert.StartsWith("throttled (77.0 °C, ", admission.State);
        Assert.Null(admission.Check());
        guard.Update(84);
        Assert.Equal("paused (84.0 °C)", admission.State);
        var refusal = admission.Check();
        Assert.NotNull(refusal);
        Assert.Equal("overheated", refusal.Code);
        Assert.Contains("84.0 °C", refusal.Message);
        Assert.Contains("below 70 °C", refusal.Message);
        guard.Update(null);
        Assert.Equal("disabled (no sensor)", admission.State);
    }

    [Fact]
    public void Memory_admission_refuses_below_the_floor()
    {
        string root = Directory.CreateTempSubdirectory("edgellm-adm").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "proc"));
            string meminfo = Path.Combine(root, "proc", "meminfo");
            File.WriteAllText(meminfo, "MemAvailable: 102400 kB\n");
            var now = DateTime.UnixEpoch;
            var admission = new MemoryAdmission(new MemoryGuard(new MemoryInfoReader(Path.Combine(root, "proc"), Path.Combine(root, "cg")), 200L << 20, () => now));
            var refusal = admission.Check();
            Assert.NotNull(refusal);
            Assert.Equal("low_memory", refusal.Code);
            Assert.Contains("100 MiB", refusal.Message);
            Assert.StartsWith("low (100 MiB usable, floor 200 MiB)", admission.State);
            File.WriteAllText(meminfo, "MemAvailable: 409600 kB\n");
            now = now.AddSeconds(5);
            Assert.Null(admission.Check());
            Assert.Equal("ok (400 MiB usable)", admission.State);
        }
        finally { Directory.Delete(root, recursive: true); }
    }
}
