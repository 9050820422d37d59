using System.Text.Json;
using EdgeLlm.Pipeline;

namespace EdgeLlm.Transports.Mqtt;

/// <summary>
/// The retained status on <c>&lt;prefix&gt;/status</c>:
/// <c>{"model":"...","state":"idle","queue_depth":0,"queue_length":8,"temperature":51.2,"tps":9.8,"requests_served":3,"uptime_seconds":60}</c>.
/// <c>state</c> is <c>paused</c>, else <c>throttled</c>, else <c>busy</c> (generating or queued), else <c>idle</c>;
/// <c>temperature</c> is null without a sensor.
/// </summary>
public sealed record MqttStatus(string Model, string State, int QueueDepth, int QueueLength, double? Temperature, double Tps, long RequestsServed, double UptimeSeconds)
{
    public static MqttStatus From(PipelineStatus p, DeviceCondition c) => new(
        p.Model,
        c.Paused ? "paused" : c.Throttled ? "throttled" : p.Generating || p.QueueDepth > 0 ? "busy" : "idle",
        p.QueueDepth,
        p.QueueLength,
        c.TemperatureCelsius is { } t ? Math.Round(t, 1) : null,
        Math.Round(p.LastTokensPerSecond, 2),
        p.RequestsServed,
        Math.Round(p.Uptime.TotalSeconds));

    /// <summary>Whether <paramref name="other"/> differs enough to publish now: state, queue, model, tok/s, or 1 °C.</summary>
    public bool DiffersFrom(MqttStatus? other) =>
        other is null || other.Model != Model || other.State != State || other.QueueDepth != QueueDepth
        || other.Tps != Tps || other.Temperature.HasValue != Temperature.HasValue
        || (Temperature is { } t && Math.Abs(t - other.Temperature!.Value) >= 1.0);

    public byte[] ToJson()
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("model", Model);
            w.WriteString("state", State);
            w.WriteNumber("queue_depth", QueueDepth);
            w.WriteNumber("queue_length", QueueLength);
            if (Temperature is { } t) w.WriteNumber("temperature", t);
            else w.WriteNull("temperature");
            w.WriteNumber("tps", Tps);
            w.WriteNumber("requests_served", RequestsServed);
            w.WriteNumber("uptime_seconds", UptimeSeconds);
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }
}
