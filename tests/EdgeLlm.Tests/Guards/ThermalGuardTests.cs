using EdgeLlm.Guards;

namespace EdgeLlm.Tests.Guards;

/// <summary>Thermal transitions driven by a fake sysfs file, with the default thresholds (soft 75, hard 82, resume 70, hysteresis 3).</summary>
public sealed class ThermalGuardTests : IDisposable
{
    private readonly string _sensorFile = Path.GetTempFileName();

    public void Dispose() => File.Delete(_sensorFile);

    private double? Sense(double celsius)
    {
        File.WriteAllText(_sensorFile, ((long)(celsius * 1000)).ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n");
        return new SysfsTemperatureSensor(_sensorFile).ReadCelsius();
    }

    [Fact]
    public void Sysfs_millidegrees_are_read_as_celsius()
    {
        Assert.Equal(48.312, Sense(48.312)!.Value, 3);
        Assert.Null(new SysfsTemperatureSensor("/no/such/thermal_zone/temp").ReadCelsius());
        File.WriteAllText(_sensorFile, "garbage");
        Assert.Null(new SysfsTemperatureSensor(_sensorFile).ReadCelsius());
    }

    [Fact]
    public void A_temperature_ramp_throttles_pauses_and_resumes_with_hysteresis()
    {
        var guard = new ThermalGuard(new ThermalSettings());
        var changes = new List<(ThermalState From, ThermalState To)>();
        guard.StateChanged += (from, to, _) => changes.Add((from, to));

        var expected = new (double Temp, ThermalState State)[]
        {
            (60, ThermalState.Normal),
            (74.9, ThermalState.Normal),
            (75, ThermalState.Throttled),
            (73, ThermalState.Throttled),   // inside the hysteresis band
            (71.9, ThermalState.Normal),    // below 75 - 3
            (78, ThermalState.Throttled),
            (82, ThermalState.Paused),
            (76, ThermalState.Paused),      // stays paused until the resume temperature
            (70.5, ThermalState.Paused),
            (70, ThermalState.Normal),
        };
        foreach (var (temp, state) in expected)
        {
            guard.Update(Sense(temp));
            Assert.True(state == guard.State, $"at {temp} °C expected {state}, got {guard.State}");
        }
        Assert.Equal(
            [(ThermalState.Normal, ThermalState.Throttled), (ThermalState.Throttled, ThermalState.Normal), (ThermalState.Normal, ThermalState.Throttled),
             (ThermalState.Throttled, ThermalState.Paused), (ThermalState.Paused, ThermalState.Normal)],
            changes);
    }

    [Fact]
    public void Throttle_delay_grows_while_rising_and_shrinks_while_falling()
    {
        var guard = new ThermalGuard(new ThermalSettings());
        guard.Update(70);
        Assert.Equal(TimeSpan.Zero, guard.TokenDelay);
        guard.Update(76);
        var first = guard.TokenDelay;
        Assert.True(first > TimeSpan.Zero);
        guard.Update(77);
        guard.Update(78);
        var risen = guard.TokenDelay;
        Assert.True(risen > first);
        guard.Update(77.5);
        Assert.True(guard.TokenDelay < risen);
        for (int i = 0; i < 100; i++) guard.Update(79 + i * 0.01);
        Assert.Equal(guard.Settings.MaxTokenDelay, guard.TokenDelay);
        guard.Update(60);
        Assert.Equal(TimeSpan.Zero, guard.TokenDelay);
    }

    [Fact]
    public void Paused_generation_waits_until_resume_or_cancellation()
    {
        var guard = new ThermalGuard(new ThermalSettings());
        guard.Update(85);
        using var cts = new CancellationTokenSource();
        Thread Start(Action a) { var t = new Thread(() => a()); t.Start(); return t; }
        var waiter = Start(() => guard.WaitBeforeToken(cts.Token));
        Assert.False(waiter.Join(300));
        guard.Update(69);
        Assert.True(waiter.Join(2000));

        guard.Update(85);
        var cancelled = Start(() => guard.WaitBeforeToken(cts.Token));
        Assert.False(cancelled.Join(200));
        cts.Cancel();
        Assert.True(cancelled.Join(2000));
    }

    [Fact]
    public void Rejecting_while_paused_is_configurable()
    {
        var waiting = new ThermalGuard(new ThermalSettings());
        var rejecting = new ThermalGuard(new ThermalSettings { RejectWhenPaused = true });
        waiting.Update(90);
        rejecting.Update(90);
        Assert.True(waiting.AcceptsNewRequests);
        Assert.False(rejecting.AcceptsNewRequests);
        rejecting.Update(60);
        Assert.True(rejecting.AcceptsNewRequests);
    }

    [Fact]
    public void Missing_sensor_disables_the_guard_with_one_warning()
    {
        var guard = new ThermalGuard(new ThermalSettings { SensorPath = "/no/such/sensor", PollInterval = TimeSpan.FromMilliseconds(100) });
        var warnings = new List<string>();
        using (var monitor = new ThermalMonitor(guard, new SysfsTemperatureSensor("/no/such/sensor"), warnings.Add))
        {
            monitor.Poll();
            monitor.Poll();
        }
        Assert.Equal(ThermalState.Disabled, guard.State);
        Assert.Single(warnings, w => w.Contains("thermal guard disabled"));
        guard.WaitBeforeToken(CancellationToken.None);
    }

    [Fact]
    public void Monitor_logs_state_changes_from_the_sensor_file()
    {
        Sense(50);
        var settings = new ThermalSettings { SensorPath = _sensorFile, PollInterval = TimeSpan.FromHours(1) };
        var guard = new ThermalGuard(settings);
        var log = new List<string>();
        using var monitor = new ThermalMonitor(guard, new SysfsTemperatureSensor(_sensorFile), log.Add);
        Assert.Equal(ThermalState.Normal, guard.State);
        Sense(83);
        monitor.Poll();
        Assert.Equal(ThermalState.Paused, guard.State);
        Assert.Contains(log, l => l.Contains("Normal -> Paused at 83.0"));
    }

    [Theory]
    [InlineData(75, 75, 70, "hard_limit")]
    [InlineData(75, 82, 82, "resume")]
    public void Invalid_thresholds_name_the_key(double soft, double hard, double resume, string key) =>
        Assert.Contains(key, new ThermalSettings { SoftLimit = soft, HardLimit = hard, Resume = resume }.Validate());
}
