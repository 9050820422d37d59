using System.Text.Json;

namespace EdgeLlm.Transports.Mqtt;

/// <summary>
/// Home Assistant MQTT discovery: one retained config per sensor on
/// <c>&lt;discovery-prefix&gt;/sensor/&lt;node&gt;/&lt;sensor&gt;/config</c>, so that the device appears with sensors for
/// state, temperature, tok/s and queue depth read from the retained status, and is shown unavailable when the
/// availability topic says <c>offline</c> (the Last Will).
/// </summary>
public static class HomeAssistantDiscovery
{
    private sealed record Sensor(string Key, string Name, string ValueTemplate, string? Unit, string? DeviceClass, string? StateClass, string Icon);

    private static readonly Sensor[] Sensors =
    [
        new("state", "State", "{{ value_json.state }}", null, null, null, "mdi:robot"),
        new("temperature", "Temperature", "{{ value_json.temperature }}", "°C", "temperature", "measurement", "mdi:thermometer"),
        new("tps", "Tokens per second", "{{ value_json.tps }}", "tok/s", null, "measurement", "mdi:speedometer"),
        new("queue", "Queue", "{{ value_json.queue_depth }}", "requests", null, "measurement", "mdi:tray-full"),
    ];

    /// <summary>The (topic, retained payload) pairs to publish for a device.</summary>
    public static IEnumerable<(string Topic, byte[] Payload)> Configs(MqttSettings settings, MqttTopics topics, string model, string version)
    {
        string node = MqttSettings.SanitizeDeviceId(settings.EffectiveDeviceId);
        foreach (var s in Sensors)
        {
            string topic = $"{settings.DiscoveryPrefix}/sensor/edgellm_{node}/{s.Key}/config";
            using var buffer = new MemoryStream();
            using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                w.WriteStartObject();
                w.WriteString("name", s.Name);
                w.WriteString("unique_id", $"edgellm_{node}_{s.Key}");
                w.WriteString("object_id", $"edgellm_{node}_{s.Key}");
                w.WriteString("state_topic", topics.Status);
                w.WriteString("value_template", s.ValueTemplate);
                w.WriteString("availability_topic", topics.Availability);
                w.WriteString("payload_available", "online");
                w.WriteString("payload_not_available", "offline");
                if (s.Unit is not null) w.WriteString("unit_of_measurement", s.Unit);
                if (s.DeviceClass is not null) w.WriteString("device_class", s.DeviceClass);
                if (s.StateClass is not null) w.WriteString("state_class", s.StateClass);
                w.WriteString("icon", s.Icon);
                w.WriteStartObject("device");
                w.WriteStartArray("identifiers");
                w.WriteStringValue($"edgellm_{node}");
                w.WriteEndArray();
                w.WriteString("name", $"EdgeLlm {settings.EffectiveDeviceId}");
                w.WriteString("manufacturer", "EdgeLlm");
                w.WriteString("model", model.Length > 0 ? model : "EdgeLlm");
                w.WriteString("sw_version", version);
                w.WriteEndObject();
                w.WriteEndObject();
            }
            yield return (topic, buffer.ToArray());
        }
    }
}
