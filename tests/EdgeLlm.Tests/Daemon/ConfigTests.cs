using EdgeLlm.Config;
using EdgeLlm.Core.Model;

namespace EdgeLlm.Tests.Daemon;

public class ConfigTests
{
    private static readonly Dictionary<string, string> None = [];
    private static string Model => Fixtures.Model("stories260K.gguf");

    private static string WriteConfig(string json)
    {
        string path = Path.GetTempFileName();
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void File_then_environment_then_flags()
    {
        string file = WriteConfig($$"""{ "model": "{{Model}}", "threads": 1, "context_size": 256, "queue_length": 3, "socket_mode": "0600" }""");
        var env = new Dictionary<string, string> { ["EDGELLM_THREADS"] = "2", ["EDGELLM_CONTEXT_SIZE"] = "300" };
        var flags = new Dictionary<string, string> { ["threads"] = "3" };
        var c = ConfigLoader.Load(file, flags, env);
        Assert.Equal(3, c.Threads);
        Assert.Equal(300, c.ContextSize);
        Assert.Equal(3, c.QueueLength);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, c.SocketMode);
        Assert.Equal(EdgeLlmConfig.DefaultSocketPath, c.SocketPath);
        File.Delete(file);
    }

    [Fact]
    public void Defaults_and_every_key_settable()
    {
        var flags = new Dictionary<string, string>
        {
            ["model"] = Model, ["kv-type"] = "f32", ["mlock"] = "true", ["weight-cache"] = "/tmp/wc", ["template"] = "chatml", ["think"] = "true", ["temperature"] = "0.2", ["top-k"] = "5",
            ["top-p"] = "0.5", ["min-p"] = "0.1", ["repeat-penalty"] = "1.2", ["seed"] = "42", ["max-tokens"] = "64",
            ["max-answer-tokens"] = "128", ["max-prompt-tokens"] = "100", ["request-timeout"] = "2.5", ["stall-timeout"] = "60",
            ["socket-path"] = "/tmp/x.sock", ["socket-group"] = "edgellm", ["max-connections"] = "4", ["idle-timeout"] = "7", ["max-line-bytes"] = "65536",
            ["log-path"] = "/tmp/e.log", ["log-level"] = "debug",
            ["thermal"] = "false", ["thermal-sensor"] = "/tmp/t", ["thermal-soft-limit"] = "60", ["thermal-hard-limit"] = "70",
            ["thermal-resume"] = "55", ["thermal-when-paused"] = "reject", ["memory-on-overcommit"] = "refuse", ["memory-floor-mb"] = "64", ["memory-proc-root"] = "/tmp/p", ["memory-cgroup-root"] = "/tmp/c",
            ["models-dir"] = "/tmp/models", ["prefetch"] = "true", ["gpio-led-pin"] = "17", ["gpio-led-active-low"] = "true", ["gpio-button-pin"] = "27",
            ["mqtt-enabled"] = "true", ["mqtt-host"] = "broker.lan", ["mqtt-port"] = "8883", ["mqtt-client-id"] = "kiosk-1", ["mqtt-device-id"] = "kiosk",
            ["mqtt-username"] = "edge", ["mqtt-password"] = "pw", ["mqtt-password-file"] = "", ["mqtt-tls"] = "true", ["mqtt-tls-ca-file"] = Model,
            ["mqtt-tls-client-cert"] = "", ["mqtt-tls-client-key"] = "", ["mqtt-tls-allow-untrusted"] = "false", ["mqtt-keep-alive"] = "20",
            ["mqtt-topic-prefix"] = "home/llm", ["mqtt-qos"] = "1", ["mqtt-fleet-group"] = "house", ["mqtt-max-payload"] = "4096",
            ["mqtt-session-expiry"] = "600", ["mqtt-reconnect-min"] = "2", ["mqtt-reconnect-max"] = "30", ["mqtt-status-interval"] = "15",
            ["mqtt-ha-discovery"] = "true", ["mqtt-ha-discovery-prefix"] = "ha", ["mqtt-max-pending"] = "500",
            ["model-name"] = "llama3.2:1b", ["http-enabled"] = "false", ["http-listen"] = "[::1]:8080", ["http-api-key"] = "k",
            ["http-api-key-file"] = "", ["http-max-body-bytes"] = "65536",
            ["prompt-cache-slots"] = "3", ["prompt-cache-mb"] = "100", ["prompt-cache-dir"] = "/tmp/pc",
        };
        var c = ConfigLoader.Load(null, flags, new Dictionary<string, string> { ["EDGELLM_CONFIG"] = "" });
        Assert.Equal((KvCacheType.F32, true, "chatml", 0.2f, 5, 42UL), (c.KvType, c.Mlock, c.Template, c.Sampling.Temperature, c.Sampling.TopK, c.Sampling.Seed));
        Assert.Equal((64, 128, 100), (c.MaxTokens, c.MaxAnswerTokens, c.MaxPromptTokens));
        Assert.True(c.Think);
        Assert.True(c.ToPipelineOptions().DefaultThink);
        Assert.Equal("/tmp/wc", c.WeightCacheDirectory);
        Assert.Equal("/tmp/wc", c.ToModelOptions().InterleavedCacheDirectory);
        Assert.Null(ConfigLoader.Load(null, new Dictionary<string, string> { ["model"] = Model, ["weight-cache"] = "off" },
            new Dictionary<string, string> { ["EDGELLM_CONFIG"] = "" }).WeightCacheDirectory);
        Assert.Equal(TimeSpan.FromSeconds(2.5), c.RequestTimeout);
        Assert.Equal(TimeSpan.FromSeconds(7), c.IdleTimeout);
        Assert.Equal(("/tmp/x.sock", "edgellm", 4, 65536, "/tmp/e.log"), (c.SocketPath, c.SocketGroup, c.MaxConnections, c.MaxLineBytes, c.LogPath));
        Assert.Equal((false, "/tmp/t", 60.0, 70.0, 55.0, true), (c.Thermal.Enabled, c.Thermal.SensorPath, c.Thermal.SoftLimit, c.Thermal.HardLimit, c.Thermal.Resume, c.Thermal.RejectWhenPaused));
        Assert.Equal((false, 64L << 20, true, "/tmp/p", "/tmp/c"), (c.ShrinkContextToFit, c.MemoryFloorBytes, c.Prefetch, c.MemoryProcRoot, c.MemoryCgroupRoot));
        Assert.Equal((17, false, 27), (c.Gpio.LedPin, c.Gpio.LedActiveHigh, c.Gpio.ButtonPin));
        Assert.Equal((true, "broker.lan", 8883, "home/llm", "house", true), (c.Mqtt.Enabled, c.Mqtt.Host, c.Mqtt.Port, c.Mqtt.TopicPrefix, c.Mqtt.FleetGroup, c.Mqtt.HomeAssistantDiscovery));
        Assert.Equal((false, "[::1]:8080", "k", 65536L, "llama3.2:1b"), (c.Http.Enabled, c.Http.Listen.ToString(), c.Http.ApiKey, c.Http.MaxBodyBytes, c.Http.ModelName));
        Assert.Equal((3, 100L << 20, "/tmp/pc"), (c.PromptCacheSlots, c.PromptCacheBytes, c.PromptCacheDirectory));
        Assert.Equal(ConfigLoader.Keys.Count - 4, flags.Count); // all but context_size, threads, queue_length, socket_mode (tested above)
    }

    [Fact]
    public void Prompt_cache_keys_default_to_the_memory_guard_and_the_weight_cache_directory_and_refuse_bad_values()
    {
        var none = new Dictionary<string, string> { ["EDGELLM_CONFIG"] = "" };
        var c = ConfigLoader.Load(null, new Dictionary<string, string> { ["model"] = Model, ["weight-cache"] = "/tmp/wc" }, none);
        Assert.Equal((null, null, "/tmp/wc"), (c.PromptCacheSlots, c.PromptCacheBytes, c.PromptCacheDirectory));
        c = ConfigLoader.Load(null, new Dictionary<string, string> { ["model"] = Model, ["prompt-cache-dir"] = "off", ["prompt-cache-slots"] = "0" }, none);
        Assert.Equal((0, (string?)null), (c.PromptCacheSlots, c.PromptCacheDirectory));

        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(null, new Dictionary<string, string>
            { ["model"] = Model, ["prompt-cache-slots"] = "-1", ["prompt-cache-mb"] = "lots", ["prompt-cache-dir"] = Model }, none));
        Assert.Contains("prompt_cache_slots: must be an integer from 0 to 64, got '-1' (from --prompt-cache-slots)", e.Problems);
        Assert.Contains("prompt_cache_mb: must be an integer from 0 to 1048576, got 'lots' (from --prompt-cache-mb)", e.Problems);
        Assert.Contains($"prompt_cache_dir: '{Model}' is a file, not a directory (from --prompt-cache-dir)", e.Problems);
        Assert.Equal(3, e.Problems.Count);
    }

    [Fact]
    public void Threads_are_auto_unless_a_count_is_given()
    {
        Assert.Equal(ModelOptions.AutoThreads, ConfigLoader.Load(null, new Dictionary<string, string> { ["model"] = Model }, None).Threads);
        string file = WriteConfig($$"""{ "model": "{{Model}}", "threads": "auto" }""");
        Assert.Equal(ModelOptions.AutoThreads, ConfigLoader.Load(file, None, None).Threads);
        Assert.Equal(2, ConfigLoader.Load(file, None, new Dictionary<string, string> { ["EDGELLM_THREADS"] = "2" }).Threads);
        Assert.Equal(ModelOptions.AutoThreads, ConfigLoader.Load(file, new Dictionary<string, string> { ["threads"] = "AUTO" },
            new Dictionary<string, string> { ["EDGELLM_THREADS"] = "2" }).Threads);
        File.Delete(file);
    }

    [Theory]
    [InlineData("0", "threads: must be auto or an integer from 1 to 256, got '0' (from --threads)")]
    [InlineData("257", "threads: must be auto or an integer from 1 to 256, got '257' (from --threads)")]
    [InlineData("1.5", "threads: must be auto or an integer from 1 to 256, got '1.5' (from --threads)")]
    [InlineData("fastest", "threads: must be auto or an integer from 1 to 256, got 'fastest' (from --threads)")]
    public void A_bad_thread_count_is_one_line_naming_the_field(string value, string problem)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(null, new Dictionary<string, string> { ["model"] = Model, ["threads"] = value }, None));
        Assert.Equal([problem], e.Problems);
    }

    [Fact]
    public void A_quoted_thread_count_in_the_file_is_refused_like_other_numbers()
    {
        string file = WriteConfig($$"""{ "model": "{{Model}}", "threads": "4" }""");
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(file, None, None));
        Assert.Equal([$"threads: must be auto or an integer from 1 to 256, a count without quotes, got the string \"4\" (from {file})"], e.Problems);
        File.Delete(file);
    }

    [Fact]
    public void Errors_name_the_key_and_its_source()
    {
        string file = WriteConfig($$"""{ "model": "{{Model}}", "threads": "many", "colour": "red", "socket_mode": "999" }""");
        var env = new Dictionary<string, string> { ["EDGELLM_QUEUE_LENGTH"] = "-1", ["EDGELLM_TOP_P"] = "2" };
        var flags = new Dictionary<string, string> { ["kv-type"] = "q8", ["bogus"] = "1", ["socket-path"] = "relative.sock" };
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(file, flags, env));
        Assert.Contains($"threads: must be auto or an integer from 1 to 256, got 'many' (from {file})", e.Problems);
        Assert.Contains($"colour: unknown key (in {file})", e.Problems);
        Assert.Contains(e.Problems, p => p.StartsWith("socket_mode: must be an octal mode", StringComparison.Ordinal));
        Assert.Contains("queue_length: must be an integer from 0 to 10000, got '-1' (from EDGELLM_QUEUE_LENGTH)", e.Problems);
        Assert.Contains(e.Problems, p => p.StartsWith("top_p: must be a number above 0 and at most 1, got '2' (from EDGELLM_TOP_P)", StringComparison.Ordinal));
        Assert.Contains("kv_type: must be f16 or f32, got 'q8' (from --kv-type)", e.Problems);
        Assert.Contains("unknown option --bogus", e.Problems);

        var mqtt = Assert.Throws<ConfigException>(() => ConfigLoader.Load(null,
            new Dictionary<string, string> { ["model"] = Model, ["mqtt-enabled"] = "true", ["mqtt-port"] = "70000", ["mqtt-qos"] = "x" },
            new Dictionary<string, string> { ["EDGELLM_CONFIG"] = "" }));
        Assert.Contains(mqtt.Problems, p => p.StartsWith("mqtt_port: ", StringComparison.Ordinal) && p.EndsWith("(from --mqtt-port)", StringComparison.Ordinal));
        Assert.Contains(mqtt.Problems, p => p.StartsWith("mqtt_qos: ", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.StartsWith("socket_path: must be an absolute path", StringComparison.Ordinal));
        File.Delete(file);
    }

    [Fact]
    public void Missing_model_missing_file_and_bad_json_are_reported()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load("/nonexistent/edgellm.json", None, None));
        Assert.Contains("config file /nonexistent/edgellm.json does not exist", e.Problems);
        Assert.Contains(e.Problems, p => p.StartsWith("model: is required", StringComparison.Ordinal));

        e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(null, new Dictionary<string, string> { ["model"] = "/no/model.gguf" }, new Dictionary<string, string> { ["EDGELLM_CONFIG"] = "" }));
        Assert.Contains("model: file not found: /no/model.gguf (from --model)", e.Problems);

        // Broken JSON is the one problem reported: no spurious "model: is required", no .NET reader jargon.
        string file = WriteConfig("{\n  \"model\": ");
        e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(file, None, None));
        Assert.Equal($"config file {file} is not valid JSON: the JSON ends before it is complete (an object, array or string is not closed) (line 2, byte 12)",
            Assert.Single(e.Problems));
        File.Delete(file);

        var mqtt = Assert.Throws<ConfigException>(() => ConfigLoader.Load(null,
            new Dictionary<string, string> { ["model"] = Model, ["mqtt-enabled"] = "true", ["mqtt-max-payload"] = "1", ["mqtt-password"] = "x" },
            new Dictionary<string, string> { ["EDGELLM_CONFIG"] = "" }));
        Assert.Contains("mqtt_max_payload: must be from 64 to 16777216 bytes, got 1 (from --mqtt-max-payload)", mqtt.Problems);
        Assert.Contains("mqtt_password: is set but mqtt_username is not (from --mqtt-password)", mqtt.Problems);
    }

    [Fact]
    public void Http_defaults_key_file_and_bad_values()
    {
        var noFile = new Dictionary<string, string> { ["EDGELLM_CONFIG"] = "" };
        var c = ConfigLoader.Load(null, new Dictionary<string, string> { ["model"] = Model }, noFile);
        Assert.Equal((true, "127.0.0.1:11434", null, "stories260K"), (c.Http.Enabled, c.Http.Listen.ToString(), c.Http.ApiKey, c.Http.ModelName));

        string keyFile = WriteConfig("  from-file  \nsecond line");
        c = ConfigLoader.Load(null, new Dictionary<string, string> { ["model"] = Model, ["http-api-key-file"] = keyFile }, noFile);
        Assert.Equal("from-file", c.Http.ApiKey);
        File.Delete(keyFile);

        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(null, new Dictionary<string, string>
        {
            ["model"] = Model, ["http-listen"] = "lan:80", ["http-max-body-bytes"] = "10", ["http-enabled"] = "maybe", ["http-api-key-file"] = "/no/such/key",
        }, noFile));
        Assert.Contains(e.Problems, p => p.StartsWith("http_listen: must be address:port", StringComparison.Ordinal) && p.EndsWith("(from --http-listen)", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.StartsWith("http_max_body_bytes: must be an integer", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.StartsWith("http_enabled: must be true or false", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.StartsWith("http_api_key_file: cannot be read", StringComparison.Ordinal));
    }

    [Fact]
    public void Max_tokens_above_the_answer_limit_is_refused()
    {
        var flags = new Dictionary<string, string> { ["model"] = Model, ["max-tokens"] = "500", ["max-answer-tokens"] = "100" };
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(null, flags, new Dictionary<string, string> { ["EDGELLM_CONFIG"] = "" }));
        Assert.Contains("max_tokens: (500) must not exceed max_answer_tokens (100) (from --max-tokens)", e.Problems);
    }

    [Fact]
    public void Numbers_and_booleans_in_quotes_are_refused_by_name()
    {
        string file = WriteConfig($$"""{ "model": "{{Model}}", "context_size": "2048", "mlock": "true", "socket_mode": "0600", "template": "raw" }""");
        try
        {
            var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(file, None, None));
            Assert.Equal(
                [
                    $"context_size: must be an integer from 0 to 1048576 without quotes, got the string \"2048\" (from {file})",
                    $"mlock: must be true or false without quotes, got the string \"true\" (from {file})",
                ],
                e.Problems);
        }
        finally { File.Delete(file); }
    }
}

public class DeployConfigTests
{
    [Fact]
    public void Documented_example_config_is_valid()
    {
        string example = Path.Combine(Fixtures.RepoRoot, "deploy", "edgellm.json");
        var c = ConfigLoader.Load(example, new Dictionary<string, string> { ["model"] = Fixtures.Model("stories260K.gguf") }, new Dictionary<string, string>());
        Assert.Equal(("/run/edgellm/edgellm.sock", "edgellm", 8), (c.SocketPath, c.SocketGroup, c.QueueLength));
        Assert.Equal(ConfigLoader.Keys.Count, ConfigLoader.Keys.Count(k => File.ReadAllText(example).Contains($"\"{k.Key}\"", StringComparison.Ordinal)));
    }
}
