using System.Buffers;
using System.Text;
using EdgeLlm.Pipeline;
using EdgeLlm.Transports.Mqtt;

namespace EdgeLlm.Tests.Mqtt;

/// <summary>The broker-free parts: settings, topics, backoff, duplicate filter, status and discovery payloads.</summary>
public class MqttComponentTests
{
    [Fact]
    public void Defaults_derive_ids_and_topics_from_the_host_name()
    {
        var s = new MqttSettings { DeviceId = "kitchen-pi" };
        Assert.Empty(s.Validate());
        Assert.Equal(1883, s.EffectivePort);
        Assert.Equal(8883, (s with { Tls = true }).EffectivePort);
        Assert.Equal("edgellm-kitchen-pi", s.EffectiveClientId);
        Assert.Equal("edgellm/kitchen-pi", s.EffectiveTopicPrefix);
        Assert.Equal(1, s.Qos);
        Assert.Equal("edgellm", s.FleetGroup);
        Assert.False(s.HomeAssistantDiscovery);
        Assert.False(s.AllowUntrusted);
        Assert.Equal("pi-4b-living-room", MqttSettings.SanitizeDeviceId("Pi 4B.Living/Room"));
        Assert.Matches("^edgellm/[a-z0-9_-]+$", new MqttSettings().EffectiveTopicPrefix);
    }

    [Fact]
    public void Validate_names_the_key_of_each_problem()
    {
        var errors = new MqttSettings
        {
            Host = "", Port = 70000, Qos = 3, TopicPrefix = "edgellm/#", FleetGroup = "a/b", MaxPayloadBytes = 1,
            CaFile = "/nonexistent/ca.pem", Password = "x", ReconnectMin = TimeSpan.FromSeconds(5), ReconnectMax = TimeSpan.FromSeconds(1),
            KeepAlive = TimeSpan.FromDays(2), ClientCertFile = "/nonexistent/c.pem",
        }.Validate();
        foreach (string key in new[] { "mqtt_host", "mqtt_port", "mqtt_qos", "mqtt_topic_prefix", "mqtt_fleet_group", "mqtt_max_payload",
                     "mqtt_tls_ca_file", "mqtt_password", "mqtt_reconnect_max", "mqtt_keep_alive", "mqtt_tls_client_cert" })
            Assert.Contains(errors, e => e.Contains(key, StringComparison.Ordinal));
    }

    [Fact]
    public void FromLookup_parses_strings_and_reports_bad_values_by_key()
    {
        var values = new Dictionary<string, string>
        {
            ["mqtt_enabled"] = "yes", ["mqtt_host"] = "broker.lan", ["mqtt_port"] = "8883", ["mqtt_qos"] = "2",
            ["mqtt_keep_alive"] = "15", ["mqtt_fleet_group"] = "", ["mqtt_ha_discovery"] = "on", ["mqtt_max_payload"] = "lots",
            ["mqtt_tls"] = "maybe", ["mqtt_username"] = "edge", ["mqtt_password"] = "s3cret",
        };
        var errors = new List<string>();
        var s = MqttSettings.FromLookup(k => values.GetValueOrDefault(k), errors);
        Assert.True(s.Enabled);
        Assert.Equal("broker.lan", s.Host);
        Assert.Equal(8883, s.Port);
        Assert.Equal(2, s.Qos);
        Assert.Equal(TimeSpan.FromSeconds(15), s.KeepAlive);
        Assert.Equal("", s.FleetGroup);
        Assert.True(s.HomeAssistantDiscovery);
        Assert.Equal(64 * 1024, s.MaxPayloadBytes);
        Assert.Equal(2, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("mqtt_max_payload must be an integer", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("mqtt_tls must be true or false", StringComparison.Ordinal));
        Assert.DoesNotContain("s3cret", s.ToString(), StringComparison.Ordinal);
        Assert.Null(new MqttTopics("edgellm/x", "").FleetSubscription);
    }

    [Fact]
    public void Topic_scheme()
    {
        var t = new MqttTopics("edgellm/pi1", "edgellm");
        Assert.Equal("edgellm/pi1/prompt", t.Prompt);
        Assert.Equal("edgellm/pi1/status", t.Status);
        Assert.Equal("edgellm/pi1/availability", t.Availability);
        Assert.Equal("$share/edgellm/edgellm/fleet/prompt", t.FleetSubscription);
        Assert.Equal("edgellm/pi1/reply/r1", t.ReplyFor("r1"));
        Assert.Null(t.ReplyFor("a+b"));
        Assert.Null(t.ReplyFor(null));
        Assert.Equal(InboundKind.Prompt, t.Classify("edgellm/pi1/prompt"));
        Assert.Equal(InboundKind.FleetPrompt, t.Classify("edgellm/fleet/prompt"));
        Assert.Equal(InboundKind.FleetCancel, t.Classify("edgellm/fleet/cancel"));
        Assert.Equal(InboundKind.Unknown, t.Classify("edgellm/pi2/prompt"));
        Assert.False(MqttTopics.IsValidPrefix("$SYS/x"));
        Assert.False(MqttTopics.IsValidPrefix("a/"));
    }

    [Fact]
    public void Backoff_grows_exponentially_with_jitter_up_to_the_cap_and_resets()
    {
        var b = new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), new Random(7));
        double[] caps = [1, 2, 4, 8, 16, 32, 60, 60, 60];
        foreach (double cap in caps)
        {
            var d = b.Next().TotalSeconds;
            Assert.InRange(d, cap / 2, cap);
        }
        Assert.Equal(caps.Length, b.Failures);
        b.Reset();
        Assert.InRange(b.Next().TotalSeconds, 0.5, 1);
    }

    [Fact]
    public void Duplicate_filter_is_bounded_and_forgets_after_the_window()
    {
        var time = new ManualTime();
        var f = new DuplicateFilter(capacity: 3, window: TimeSpan.FromMinutes(1), time);
        string a = DuplicateFilter.Key("r1", "resp", [1, 2], new ReadOnlySequence<byte>("{\"id\":\"r1\"}"u8.ToArray()));
        Assert.Equal(a, DuplicateFilter.Key("r1", "resp", [1, 2], new ReadOnlySequence<byte>("{\"id\":\"r1\"}"u8.ToArray())));
        Assert.NotEqual(a, DuplicateFilter.Key("r1", "resp", [1, 3], new ReadOnlySequence<byte>("{\"id\":\"r1\"}"u8.ToArray())));
        Assert.NotEqual(a, DuplicateFilter.Key("r1", null, [1, 2], new ReadOnlySequence<byte>("{\"id\":\"r1\"}"u8.ToArray())));
        Assert.True(f.TryAdd(a));
        Assert.False(f.TryAdd(a));
        f.Remove(a);
        Assert.True(f.TryAdd(a));
        for (int i = 0; i < 10; i++) Assert.True(f.TryAdd($"k{i}"));
        Assert.Equal(3, f.Count);
        Assert.True(f.TryAdd(a)); // evicted by capacity
        Assert.False(f.TryAdd("k9"));
        time.Advance(TimeSpan.FromMinutes(2));
        Assert.True(f.TryAdd("k9"));
        Assert.Equal(1, f.Count);
    }

    [Fact]
    public void Status_state_and_change_detection()
    {
        var idle = new PipelineStatus("m.gguf", "raw", 512, "ready", false, 0, 8, 3, 0, 9.87654, 100, TimeSpan.FromSeconds(61.4), new Dictionary<string, string>());
        var s = MqttStatus.From(idle, new DeviceCondition(false, false, 51.24));
        Assert.Equal("idle", s.State);
        Assert.Equal(51.2, s.Temperature);
        Assert.Equal(9.88, s.Tps);
        Assert.Equal("busy", MqttStatus.From(idle with { Generating = true }, DeviceCondition.Unknown).State);
        Assert.Equal("busy", MqttStatus.From(idle with { QueueDepth = 1 }, DeviceCondition.Unknown).State);
        Assert.Equal("throttled", MqttStatus.From(idle with { Generating = true }, new DeviceCondition(true, false, 75)).State);
        Assert.Equal("paused", MqttStatus.From(idle, new DeviceCondition(true, true, 85)).State);
        Assert.False(s.DiffersFrom(s with { Temperature = 51.9, UptimeSeconds = 99 }));
        Assert.True(s.DiffersFrom(s with { Temperature = 52.3 }));
        Assert.True(s.DiffersFrom(s with { QueueDepth = 2 }));
        Assert.True(s.DiffersFrom(null));
        string json = Encoding.UTF8.GetString(s.ToJson());
        Assert.Equal("""{"model":"m.gguf","state":"idle","queue_depth":0,"queue_length":8,"temperature":51.2,"tps":9.88,"requests_served":3,"uptime_seconds":61}""", json);
        Assert.Contains("\"temperature\":null", Encoding.UTF8.GetString(MqttStatus.From(idle, DeviceCondition.Unknown).ToJson()), StringComparison.Ordinal);
    }

    [Fact]
    public void Home_assistant_discovery_configs_point_at_status_and_availability()
    {
        var settings = new MqttSettings { DeviceId = "pi1", HomeAssistantDiscovery = true };
        var topics = new MqttTopics(settings.EffectiveTopicPrefix, settings.FleetGroup);
        var configs = HomeAssistantDiscovery.Configs(settings, topics, "model.gguf", "1.0").ToList();
        Assert.Equal(["state", "temperature", "tps", "queue"], configs.Select(c => c.Topic.Split('/')[3]));
        Assert.All(configs, c => Assert.StartsWith("homeassistant/sensor/edgellm_pi1/", c.Topic, StringComparison.Ordinal));
        using var doc = System.Text.Json.JsonDocument.Parse(configs[1].Payload);
        var r = doc.RootElement;
        Assert.Equal("edgellm/pi1/status", r.GetProperty("state_topic").GetString());
        Assert.Equal("edgellm/pi1/availability", r.GetProperty("availability_topic").GetString());
        Assert.Equal("{{ value_json.temperature }}", r.GetProperty("value_template").GetString());
        Assert.Equal("temperature", r.GetProperty("device_class").GetString());
        Assert.Equal("edgellm_pi1", r.GetProperty("device").GetProperty("identifiers")[0].GetString());
    }

    private sealed class ManualTime : TimeProvider
    {
        private long _ticks;
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
        public override long GetTimestamp() => _ticks;
        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
