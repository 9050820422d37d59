using EdgeLlm.Guards;

namespace EdgeLlm.Tests.Guards;

/// <summary>Memory decisions from fake /proc/meminfo and cgroup (v1 and v2) files.</summary>
public sealed class MemoryGuardTests : IDisposable
{
    private const long MiB = 1 << 20;
    private readonly string _root = Directory.CreateTempSubdirectory("edgellm-mem").FullName;
    private string Proc => Path.Combine(_root, "proc");
    private string Cgroup => Path.Combine(_root, "cgroup");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private void Write(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    private void MemAvailable(long mib) =>
        Write(Path.Combine(Proc, "meminfo"), $"MemTotal:        8000000 kB\nMemFree:          100000 kB\nMemAvailable:    {mib * 1024} kB\n");

    [Fact]
    public void Reads_cgroup_v2_limits_of_the_service()
    {
        MemAvailable(6000);
        Write(Path.Combine(Proc, "self", "cgroup"), "0::/system.slice/edgellm.service\n");
        Write(Path.Combine(Cgroup, "system.slice", "edgellm.service", "memory.max"), $"{5000 * MiB}\n");
        Write(Path.Combine(Cgroup, "system.slice", "edgellm.service", "memory.current"), $"{1000 * MiB}\n");
        var s = new MemoryInfoReader(Proc, Cgroup).Read()!;
        Assert.Equal(6000 * MiB, s.MemAvailable);
        Assert.Equal(5000 * MiB, s.CgroupLimit);
        Assert.Equal(4000 * MiB, s.Usable);
    }

    [Fact]
    public void Cgroup_v2_max_means_unlimited()
    {
        MemAvailable(3000);
        Write(Path.Combine(Proc, "self", "cgroup"), "0::/user.slice\n");
        Write(Path.Combine(Cgroup, "user.slice", "memory.max"), "max\n");
        Write(Path.Combine(Cgroup, "user.slice", "memory.current"), "12345\n");
        var s = new MemoryInfoReader(Proc, Cgroup).Read()!;
        Assert.Null(s.CgroupLimit);
        Assert.Equal(3000 * MiB, s.Usable);
    }

    [Fact]
    public void Reads_cgroup_v1_memory_controller()
    {
        MemAvailable(7000);
        Write(Path.Combine(Proc, "self", "cgroup"), "12:cpu,cpuacct:/x\n4:memory:/edgellm\n");
        Write(Path.Combine(Cgroup, "memory", "edgellm", "memory.limit_in_bytes"), $"{2048 * MiB}\n");
        Write(Path.Combine(Cgroup, "memory", "edgellm", "memory.usage_in_bytes"), $"{48 * MiB}\n");
        var s = new MemoryInfoReader(Proc, Cgroup).Read()!;
        Assert.Equal(2000 * MiB, s.Usable);
    }

    [Fact]
    public void No_meminfo_means_no_figures()
    {
        Assert.Null(new MemoryInfoReader(Proc, Cgroup).Read());
        Assert.Equal(MemoryVerdict.Unchecked, MemoryPlanner.Plan(4000 * MiB, MiB, 2048, 0, null, shrinkToFit: false).Verdict);
        // status shows a guard without figures as not protecting, not as "ok".
        Assert.Equal("not protecting (memory figures unavailable)", new MemoryAdmission(new MemoryGuard(new MemoryInfoReader(Proc, Cgroup), 128 * MiB)).State);
    }

    [Fact]
    public void The_shipped_unit_leaves_meminfo_visible_and_stays_hardened()
    {
        string unit = Path.Combine(Fixtures.RepoRoot, "systemd", "edgellm.service");
        var directives = File.ReadAllLines(unit).Select(l => l.Trim()).Where(l => !l.StartsWith('#')).ToList();
        // ProcSubset=pid hides /proc/meminfo: the guard would run blind under the unit.
        Assert.DoesNotContain(directives, l => l.StartsWith("ProcSubset=pid", StringComparison.Ordinal));
        Assert.Contains("ProtectProc=invisible", directives);

        // Where systemd-analyze exists, the exposure score is measured, not assumed.
        var start = new System.Diagnostics.ProcessStartInfo("systemd-analyze", ["security", "--offline=yes", unit]) { RedirectStandardOutput = true, RedirectStandardError = true };
        System.Diagnostics.Process? analyze;
        try { analyze = System.Diagnostics.Process.Start(start); }
        catch (System.ComponentModel.Win32Exception) { return; }
        string output = analyze!.StandardOutput.ReadToEnd();
        analyze.WaitForExit();
        var score = System.Text.RegularExpressions.Regex.Match(output, @"Overall exposure level for \S+: (\d+\.\d)");
        Assert.True(score.Success, output);
        Assert.InRange(double.Parse(score.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), 0, 2.0);
    }

    [Fact]
    public void A_model_that_fits_keeps_its_context()
    {
        var plan = MemoryPlanner.Plan(3800 * MiB, MiB / 2, 2048, 100 * MiB, new MemorySnapshot(7000 * MiB, null, null), shrinkToFit: false);
        Assert.Equal(MemoryVerdict.Fits, plan.Verdict);
        Assert.Equal(2048, plan.ContextLength);
    }

    [Fact]
    public void An_oversized_context_is_shrunk_with_the_numbers()
    {
        // 3800 MiB model + 100 MiB scratch + 64 MiB reserve leave 536 MiB: 1072 tokens of 0.5 MiB.
        var plan = MemoryPlanner.Plan(3800 * MiB, MiB / 2, 4096, 100 * MiB, new MemorySnapshot(4500 * MiB, null, null), shrinkToFit: true);
        Assert.Equal(MemoryVerdict.Shrunk, plan.Verdict);
        Assert.Equal(1072, plan.ContextLength);
        Assert.Contains("context shrunk from 4096 to 1072 tokens", plan.Message);
        Assert.Contains("model 3800 MiB", plan.Message);
        Assert.Contains("MemAvailable 4500 MiB", plan.Message);
    }

    [Fact]
    public void An_oversized_context_is_refused_when_configured_so()
    {
        var plan = MemoryPlanner.Plan(3800 * MiB, MiB / 2, 4096, 100 * MiB, new MemorySnapshot(4500 * MiB, 4200 * MiB, 0), shrinkToFit: false);
        Assert.Equal(MemoryVerdict.Refused, plan.Verdict);
        Assert.Contains("refusing to start", plan.Message);
        Assert.Contains("cgroup limit 4200 MiB", plan.Message);
    }

    [Fact]
    public void A_model_larger_than_memory_is_refused_even_when_shrinking()
    {
        var plan = MemoryPlanner.Plan(3800 * MiB, MiB / 2, 4096, 100 * MiB, new MemorySnapshot(3000 * MiB, null, null), shrinkToFit: true);
        Assert.Equal(MemoryVerdict.Refused, plan.Verdict);
        Assert.Contains("even 256 tokens of context do not fit", plan.Message);
    }

    [Fact]
    public void Low_memory_floor_rejects_then_recovers()
    {
        var now = new DateTime(2026, 1, 1);
        var guard = new MemoryGuard(new MemoryInfoReader(Proc, Cgroup), 500 * MiB, () => now);
        MemAvailable(2000);
        Assert.True(guard.AcceptsNewRequests);
        MemAvailable(300);
        Assert.True(guard.AcceptsNewRequests); // cached for a second
        now = now.AddSeconds(2);
        Assert.False(guard.AcceptsNewRequests);
        MemAvailable(900);
        now = now.AddSeconds(2);
        Assert.True(guard.AcceptsNewRequests);
    }

    [Fact]
    public unsafe void Prefetch_reports_progress_to_100_percent()
    {
        var buffer = new byte[64 * 4096];
        var seen = new List<int>();
        fixed (byte* p = buffer) ModelResidency.Prefetch(p, buffer.Length, seen.Add);
        Assert.Equal(0, seen[0]);
        Assert.Equal(100, seen[^1]);
        Assert.Equal(seen.Order(), seen);
    }

    [Fact]
    public void Memlock_limit_is_readable_on_linux() =>
        Assert.NotNull(ModelResidency.MemlockLimit());
}
