using EdgeLlm.Pipeline;
using EdgeLlm.Status;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeLlm.Guards;

/// <summary>
/// Runs the device guards while the daemon serves: polls the temperature sensor, keeps the status LED in step
/// with the daemon's state (ready, generating, throttled/paused), and turns a button press into a cancel.
/// </summary>
internal sealed class GuardsService(ThermalGuard thermal, RequestPipeline pipeline, ThermalSettings thermalSettings, Status.GpioSettings gpio, ILogger<GuardsService> log) : IHostedService, IDisposable
{
    private ThermalMonitor? _monitor;
    private StatusLed? _led;
    private Timer? _ledTimer;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _monitor = new ThermalMonitor(thermal, new SysfsTemperatureSensor(thermalSettings.SensorPath), m => log.LogWarning("{Message}", m));
        _led = StatusLed.Create(gpio, OnButton, m => log.LogInformation("{Message}", m));
        if (_led.Enabled)
            _ledTimer = new Timer(_ => UpdateLed(running: true), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(250));
        return Task.CompletedTask;
    }

    private void OnButton()
    {
        if (pipeline.CancelRunning()) log.LogInformation("cancel button pressed: the current answer is cancelled");
    }

    private void UpdateLed(bool running)
    {
        var status = pipeline.Status();
        _led?.Show(LedPatterns.For(running && status.State != "draining", status.Generating, thermal.State));
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _ledTimer?.Dispose();
        _led?.Show(LedPattern.Off);
        _monitor?.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _ledTimer?.Dispose();
        _led?.Dispose();
        _monitor?.Dispose();
    }
}
