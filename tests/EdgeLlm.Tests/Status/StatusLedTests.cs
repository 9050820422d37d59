using System.Device.Gpio;
using EdgeLlm.Guards;
using EdgeLlm.Status;

namespace EdgeLlm.Tests.Status;

public class StatusLedTests
{
    [Theory]
    [InlineData(false, false, ThermalState.Normal, LedPattern.Off)]
    [InlineData(true, false, ThermalState.Normal, LedPattern.Steady)]
    [InlineData(true, true, ThermalState.Normal, LedPattern.SlowBlink)]
    [InlineData(true, true, ThermalState.Throttled, LedPattern.FastBlink)]
    [InlineData(true, false, ThermalState.Paused, LedPattern.FastBlink)]
    [InlineData(true, true, ThermalState.Disabled, LedPattern.SlowBlink)]
    public void Pattern_follows_the_daemon_state(bool running, bool generating, ThermalState thermal, LedPattern expected) =>
        Assert.Equal(expected, LedPatterns.For(running, generating, thermal));

    [Fact]
    public void Steady_lights_the_pin_honouring_active_low()
    {
        var driver = new FakeGpioDriver();
        using var led = StatusLed.Create(new GpioSettings { LedPin = 17, LedActiveHigh = false }, null, _ => { }, () => new GpioController(driver));
        Assert.True(led.Enabled);
        led.Show(LedPattern.Steady);
        Assert.Equal(PinValue.Low, driver.ValueOf(17));
        led.Show(LedPattern.Off);
        Assert.Equal(PinValue.High, driver.ValueOf(17));
    }

    [Fact]
    public void Blink_patterns_toggle_on_each_tick_at_their_period()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(500), LedPatterns.HalfPeriod(LedPattern.SlowBlink));
        Assert.Equal(TimeSpan.FromMilliseconds(125), LedPatterns.HalfPeriod(LedPattern.FastBlink));
        Assert.Null(LedPatterns.HalfPeriod(LedPattern.Steady));

        var driver = new FakeGpioDriver();
        using var led = StatusLed.Create(new GpioSettings { LedPin = 4 }, null, _ => { }, () => new GpioController(driver));
        led.Show(LedPattern.Steady);
        led.Tick();
        Assert.Equal(PinValue.High, driver.ValueOf(4));
        led.Show(LedPattern.FastBlink);
        var seen = new List<PinValue>();
        for (int i = 0; i < 4; i++)
        {
            led.Tick();
            seen.Add(driver.ValueOf(4));
        }
        Assert.Equal(new PinValue[] { PinValue.Low, PinValue.High, PinValue.Low, PinValue.High }, seen);
    }

    [Fact]
    public void The_blink_timer_runs_by_itself()
    {
        var driver = new FakeGpioDriver();
        using var led = StatusLed.Create(new GpioSettings { LedPin = 4 }, null, _ => { }, () => new GpioController(driver));
        led.Show(LedPattern.FastBlink);
        int writes = 0;
        for (int i = 0; i < 100 && writes < 4; i++)
        {
            Thread.Sleep(50);
            lock (driver.Writes) writes = driver.Writes.Count(w => w.Pin == 4);
        }
        Assert.True(writes >= 4, $"only {writes} writes in 5 s of fast blink");
    }

    [Fact]
    public void Button_press_invokes_cancel()
    {
        var driver = new FakeGpioDriver();
        int presses = 0;
        using var led = StatusLed.Create(new GpioSettings { ButtonPin = 27 }, () => presses++, _ => { }, () => new GpioController(driver));
        Assert.Equal(PinMode.InputPullUp, driver.ModeOf(27));
        driver.Press(27);
        Assert.Equal(1, presses);
    }

    [Fact]
    public void No_gpio_chip_disables_the_feature_with_a_log_line()
    {
        var log = new List<string>();
        using var led = StatusLed.Create(new GpioSettings { LedPin = 17 }, null, log.Add, () => throw new IOException("no /dev/gpiochip0"));
        Assert.False(led.Enabled);
        led.Show(LedPattern.Steady);
        Assert.Single(log, l => l.Contains("disabled") && l.Contains("gpiochip"));
    }
}
