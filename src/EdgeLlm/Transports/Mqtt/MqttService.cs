using EdgeLlm.Guards;
using EdgeLlm.Pipeline;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeLlm.Transports.Mqtt;

/// <summary>Runs the MQTT transport inside <c>serve</c> when <c>mqtt_enabled</c> is true; never waits for the broker.</summary>
internal sealed class MqttService(MqttSettings settings, RequestPipeline pipeline, ThermalGuard thermal, ILoggerFactory logs) : IHostedService, IAsyncDisposable
{
    private MqttTransport? _transport;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!settings.Enabled) return Task.CompletedTask;
        _transport = new MqttTransport(settings, pipeline, logs.CreateLogger("EdgeLlm.Mqtt"),
            () => new DeviceCondition(thermal.State == ThermalState.Throttled, thermal.State == ThermalState.Paused, thermal.Temperature));
        return _transport.StartAsync(cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_transport is not null) await _transport.StopAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_transport is not null) await _transport.DisposeAsync();
    }
}
