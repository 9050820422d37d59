using System.Globalization;
using System.Text;
using System.Text.Json;
using EdgeLlm.Core.Model;
using EdgeLlm.Core.Prompts;
using EdgeLlm.Core.Sampling;
using Microsoft.Extensions.Logging;

namespace EdgeLlm.Config;

/// <summary>
/// Builds an <see cref="EdgeLlmConfig"/> from, lowest to highest precedence: the JSON file (<c>--config</c>,
/// <c>EDGELLM_CONFIG</c> or <c>/etc/edgellm/edgellm.json</c>; the default path may be missing), <c>EDGELLM_*</c>
/// environment variables and command-line flags. All problems are reported together, each naming the key and its source.
/// </summary>
public static class ConfigLoader
{
    /// <summary>Every key with a one-line description (the usage text and docs list them from here).</summary>
    public static readonly IReadOnlyList<(string Key, string Help)> Keys =
    [
        ("model", "path of the GGUF model file, or the name of a model in the store (edgellm list) (required)"),
        ("models_dir", "the model store, where edgellm pull puts models (default: $STATE_DIRECTORY/models under systemd, else ~/.local/share/edgellm/models)"),
        ("context_size", "context length in tokens; 0 = the model's trained context (default 2048)"),
        ("threads", "worker threads: auto (the count that is fastest on this board, measured at load: 1 to the number of cores) or a number (default auto)"),
        ("kv_type", "KV cache element type: f16 or f32 (default f16)"),
        ("mlock", "lock the mapped model in RAM (needs LimitMEMLOCK); true or false (default false)"),
        ("weight_cache", "directory for the interleaved copy of the model's Q4_0 matrices (about the model's size on disk, built once; faster generation), or off (default: systemd's CacheDirectory, else ~/.cache/edgellm)"),
        ("prompt_cache_slots", "cached prompt prefixes kept beside the live one, so that alternating clients stay warm; 0 = only the last request's (default: sized by the memory guard from what is free, at least 2)"),
        ("prompt_cache_mb", "MiB of keys and values the prompt cache may hold, in memory and on disk (default: sized by the memory guard)"),
        ("prompt_cache_dir", "directory where cached prompts are kept across restarts, or off (default: the weight cache's directory, systemd's CacheDirectory, else ~/.cache/edgellm)"),
        ("template", "default chat template: auto, alpaca, chatml, llama2, llama3, mistral, mistral-v1, phi3, qwen3, raw (default auto)"),
        ("think", "let a thinking model (Qwen3) think before it answers when a request does not say; the thought is never part of the answer when off (default false)"),
        ("temperature", "default sampling temperature; <= 0 is greedy (default 0.8)"),
        ("top_k", "default top-k; 0 disables (default 40)"),
        ("top_p", "default top-p in (0, 1] (default 0.95)"),
        ("min_p", "default min-p in [0, 1] (default 0.05)"),
        ("repeat_penalty", "default repetition penalty, > 0 (default 1.1)"),
        ("seed", "default sampling seed (default: random per request)"),
        ("max_tokens", "answer tokens when a request names none (default 256)"),
        ("max_answer_tokens", "largest max_tokens a request may ask for (default 1024)"),
        ("max_prompt_tokens", "longest prompt in tokens; 0 = the context size (default 0)"),
        ("queue_length", "requests that may wait behind the running one; more get busy (default 8)"),
        ("request_timeout", "seconds from acceptance to the final reply; 0 = none (default 120)"),
        ("stall_timeout", "seconds without generation progress before the watchdog stops (default 300)"),
        ("socket_path", $"Unix socket path (default {EdgeLlmConfig.DefaultSocketPath})"),
        ("socket_mode", "octal file mode of the socket (default 0660)"),
        ("socket_group", "group owning the socket, a name or number (default: the daemon's group)"),
        ("max_connections", "simultaneous socket clients; one more is let in for status only (default 32)"),
        ("idle_timeout", "seconds a socket connection with no request in flight may stay silent before it is closed; 0 = forever (default 60)"),
        ("max_line_bytes", "longest request line in bytes (default 1048576)"),
        ("log_path", "log file (rotated daily, 7 kept); empty = journal/stderr only (default empty)"),
        ("log_level", "debug, information, warning or error (default information)"),
        ("thermal", "thermal guard on or off: true or false (default true; off by itself without a sensor)"),
        ("thermal_sensor", "SoC temperature file, millidegrees Celsius (default /sys/class/thermal/thermal_zone0/temp)"),
        ("thermal_soft_limit", "°C above which generation is throttled (default 75)"),
        ("thermal_hard_limit", "°C above which generation pauses (default 82)"),
        ("thermal_resume", "°C at which a pause ends (default 70)"),
        ("thermal_when_paused", "new requests while paused: wait or reject (with overheated) (default wait)"),
        ("memory_on_overcommit", "when model + KV cache do not fit in memory at start: shrink (the context) or refuse (default shrink)"),
        ("memory_floor_mb", "below this many MiB of available memory new requests get low_memory; 0 = off (default 128)"),
        ("memory_proc_root", "where /proc is read from (meminfo, self/cgroup); for containers and tests (default /proc)"),
        ("memory_cgroup_root", "where the cgroup hierarchy is mounted (default /sys/fs/cgroup)"),
        ("prefetch", "read the whole model into the page cache at start, with progress (slow SD cards); true or false (default false)"),
        ("gpio_led_pin", "BCM pin of the status LED; -1 = none (default -1)"),
        ("gpio_led_active_low", "true when the LED lights with the pin low (default false)"),
        ("gpio_button_pin", "BCM pin of a push button to ground that cancels the current answer; -1 = none (default -1)"),
        .. Transports.Mqtt.MqttSettings.Keys.Select(k => (k, "MQTT transport (README, section MQTT)")),
        .. Http.HttpSettings.Keys,
    ];

    public const string EnvPrefix = "EDGELLM_";

    public static string EnvName(string key) => EnvPrefix + key.ToUpperInvariant();
    public static string FlagName(string key) => "--" + key.Replace('_', '-');

    /// <summary>Loads and validates. <paramref name="flags"/> are "flag-name" (dashes, no leading --) → value.</summary>
    /// <exception cref="ConfigException">Any invalid, unknown or missing key.</exception>
    public static EdgeLlmConfig Load(string? configPath, IReadOnlyDictionary<string, string> flags, IReadOnlyDictionary<string, string> environment)
    {
        var problems = new List<string>();
        var values = new Dictionary<string, (string Value, string Source, bool Quoted)>(StringComparer.Ordinal);
        var known = Keys.Select(k => k.Key).ToHashSet(StringComparer.Ordinal);

        string? path = configPath ?? (environment.TryGetValue(EnvPrefix + "CONFIG", out var envPath) && envPath.Length > 0 ? envPath : null);
        bool explicitPath = path is not null;
        path ??= EdgeLlmConfig.DefaultPath;
        bool fileRead = true;
        if (File.Exists(path)) fileRead = ReadFile(path, known, values, problems);
        else if (explicitPath) problems.Add($"config file {path} does not exist");

        foreach (var (key, _) in Keys)
            if (environment.TryGetValue(EnvName(key), out var v))
                values[key] = (v, EnvName(key), false);
        foreach (var (flag, v) in flags)
        {
            string key = flag.Replace('-', '_');
            if (known.Contains(key)) values[key] = (v, "--" + flag, false);
            else problems.Add($"unknown option --{flag}");
        }

        var config = Build(new Reader(values, problems), modelExpected: fileRead);
        if (problems.Count > 0) throw new ConfigException(problems);
        return config with { Sources = values.ToDictionary(v => v.Key, v => v.Value.Source, StringComparer.Ordinal) };
    }

    /// <summary>The process environment as a dictionary (only EDGELLM_* variables).</summary>
    public static IReadOnlyDictionary<string, string> ProcessEnvironment()
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
            if (e.Key is string k && k.StartsWith(EnvPrefix, StringComparison.Ordinal) && e.Value is string v)
                env[k] = v;
        return env;
    }

    /// <summary>Reads the file's keys; false when it could not be read at all (then its keys are unknown, not missing).</summary>
    private static bool ReadFile(string path, HashSet<string> known, Dictionary<string, (string, string, bool)> values, List<string> problems)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            problems.Add($"config file {path} is not valid JSON: {Protocol.ErrorText.Json(e, lines: true)}");
            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Add($"config file {path} cannot be read: {e.Message}");
            return false;
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                problems.Add($"config file {path}: expected a JSON object of keys");
                return false;
            }
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                string source = $"{path}";
                if (!known.Contains(p.Name))
                {
                    problems.Add($"{p.Name}: unknown key (in {source})");
                    continue;
                }
                switch (p.Value.ValueKind)
                {
                    case JsonValueKind.String: values[p.Name] = (p.Value.GetString()!, source, true); break;
                    case JsonValueKind.Number: values[p.Name] = (p.Value.GetRawText(), source, false); break;
                    case JsonValueKind.True: values[p.Name] = ("true", source, false); break;
                    case JsonValueKind.False: values[p.Name] = ("false", source, false); break;
                    case JsonValueKind.Null: break;
                    default: problems.Add($"{p.Name}: must be a string, number or boolean (in {source})"); break;
                }
            }
        }
        return true;
    }

    private static EdgeLlmConfig Build(Reader r, bool modelExpected)
    {
        var d = new SamplingOptions();
        string? model = r.String("model") is { } m ? Models.ModelStore.ResolveModelSetting(m, r.String("models_dir")) : null;
        // A config file that could not be read may well hold the model: its problem is reported, not a missing key.
        if (model is null)
        {
            if (modelExpected) r.Problem("model", $"is required: set it in {EdgeLlmConfig.DefaultPath}, {EnvName("model")} or {FlagName("model")}");
        }
        else if (!model.Contains('/') && !File.Exists(model) && !Directory.Exists(model))
        {
            r.Problem("model", $"no file and no model named '{model}' in the store {Models.ModelStoreLocation.Resolve(r.String("models_dir"))} (see edgellm list)");
        }
        else if (ModelFile.Problem(model) is { } modelProblem)
        {
            r.Problem("model", modelProblem);
        }

        var sampling = new SamplingOptions
        {
            Temperature = (float)r.Number(Fields.Temperature, d.Temperature),
            TopK = (int)r.Number(Fields.TopK, d.TopK),
            TopP = (float)r.Number(Fields.TopP, d.TopP),
            MinP = (float)r.Number(Fields.MinP, d.MinP),
            RepeatPenalty = (float)r.Number(Fields.RepeatPenalty, d.RepeatPenalty),
            Seed = r.Seed("seed"),
        };
        try
        {
            sampling.Validate();
        }
        catch (ArgumentException e)
        {
            r.Problem(e.ParamName switch { "TopP" => "top_p", "RepeatPenalty" => "repeat_penalty", _ => "sampling" }, e.Message);
        }

        string template = r.String("template") ?? "auto";
        if (!template.Equals(ChatTemplates.Auto, StringComparison.OrdinalIgnoreCase) && !ChatTemplates.TryGet(template, out _))
            r.Problem("template", $"unknown template '{template}'; valid: auto, {string.Join(", ", ChatTemplates.Names)}");

        string socketPath = r.String("socket_path") ?? EdgeLlmConfig.DefaultSocketPath;
        if (!Path.IsPathFullyQualified(socketPath)) r.Problem("socket_path", $"must be an absolute path, got '{socketPath}'");
        else if (Encoding.UTF8.GetByteCount(socketPath) > 107) r.Problem("socket_path", "is longer than the 107 bytes a Unix socket path may have");

        var config = new EdgeLlmConfig
        {
            ModelPath = model ?? "",
            ContextSize = (int)r.Number(Fields.ContextSize, 2048),
            Threads = r.Threads(Fields.Threads),
            KvType = r.Choice("kv_type", "f16", ["f16", "f32"]) == "f32" ? KvCacheType.F32 : KvCacheType.F16,
            Mlock = r.Bool("mlock", false),
            WeightCacheDirectory = WeightCacheLocation.Resolve(r.String("weight_cache")),
            PromptCacheSlots = r.String("prompt_cache_slots") is null ? null : r.Int("prompt_cache_slots", 0, 0, PromptCacheLocation.MaxSlots),
            PromptCacheBytes = r.String("prompt_cache_mb") is null ? null : (long)r.Int("prompt_cache_mb", 0, 0, 1 << 20) << 20,
            PromptCacheDirectory = PromptCacheDirectorySetting(r),
            Template = template,
            Think = r.Bool("think", false),
            Sampling = sampling,
            MaxTokens = (int)r.Number(Fields.MaxTokens, 256),
            MaxAnswerTokens = r.Int("max_answer_tokens", 1024, 1, 1 << 20),
            MaxPromptTokens = r.Int("max_prompt_tokens", 0, 0, 1 << 20),
            QueueLength = r.Int("queue_length", 8, 0, 10_000),
            RequestTimeout = r.Seconds("request_timeout", 120),
            StallTimeout = r.Seconds("stall_timeout", 300),
            SocketPath = socketPath,
            SocketMode = r.Mode("socket_mode", "0660"),
            SocketGroup = r.String("socket_group") is { Length: > 0 } g ? g : null,
            MaxConnections = r.Int("max_connections", 32, 1, 10_000),
            IdleTimeout = r.Seconds("idle_timeout", 60),
            MaxLineBytes = r.Int("max_line_bytes", 1 << 20, 256, 64 << 20),
            LogPath = r.String("log_path") is { Length: > 0 } l ? l : null,
            LogLevel = r.Choice("log_level", "information", ["debug", "information", "warning", "error"]) switch
            {
                "debug" => LogLevel.Debug,
                "warning" => LogLevel.Warning,
                "error" => LogLevel.Error,
                _ => LogLevel.Information,
            },
        };
        config = config with
        {
            Thermal = new Guards.ThermalSettings
            {
                Enabled = r.Bool("thermal", true),
                SensorPath = r.String("thermal_sensor") is { Length: > 0 } sensor ? sensor : Guards.SysfsTemperatureSensor.DefaultPath,
                SoftLimit = r.Float("thermal_soft_limit", 75, 20, 120),
                HardLimit = r.Float("thermal_hard_limit", 82, 20, 120),
                Resume = r.Float("thermal_resume", 70, 0, 120),
                RejectWhenPaused = r.Choice("thermal_when_paused", "wait", ["wait", "reject"]) == "reject",
            },
            ShrinkContextToFit = r.Choice("memory_on_overcommit", "shrink", ["shrink", "refuse"]) == "shrink",
            MemoryFloorBytes = (long)r.Int("memory_floor_mb", 128, 0, 1 << 20) << 20,
            MemoryProcRoot = r.String("memory_proc_root") is { Length: > 0 } proc ? proc : "/proc",
            MemoryCgroupRoot = r.String("memory_cgroup_root") is { Length: > 0 } cgroup ? cgroup : "/sys/fs/cgroup",
            Prefetch = r.Bool("prefetch", false),
            Gpio = new Status.GpioSettings
            {
                LedPin = r.Int("gpio_led_pin", -1, -1, 1023) is int led and >= 0 ? led : null,
                LedActiveHigh = !r.Bool("gpio_led_active_low", false),
                ButtonPin = r.Int("gpio_button_pin", -1, -1, 1023) is int button and >= 0 ? button : null,
            },
        };
        var mqttErrors = new List<string>();
        var mqtt = Transports.Mqtt.MqttSettings.FromLookup(r.String, mqttErrors);
        if (mqtt.Enabled) mqttErrors.AddRange(mqtt.Validate());
        foreach (string error in mqttErrors)
        {
            int space = error.IndexOf(' ');
            r.Problem(error[..space], error[(space + 1)..]);
        }
        config = config with { Mqtt = mqtt };
        var httpErrors = new List<string>();
        config = config with { Http = Http.HttpSettings.FromLookup(r.String, config.ModelPath, httpErrors) };
        foreach (string error in httpErrors)
        {
            int space = error.IndexOf(' ');
            r.Problem(error[..space], error[(space + 1)..]);
        }
        if (config.Thermal.Validate() is string thermalProblem)
            r.Problem(thermalProblem.Split(' ')[0], thermalProblem[(thermalProblem.IndexOf(' ') + 1)..]);
        if (config.MaxTokens > config.MaxAnswerTokens)
            r.Problem("max_tokens", $"({config.MaxTokens}) must not exceed max_answer_tokens ({config.MaxAnswerTokens})");
        if (config.StallTimeout <= TimeSpan.Zero)
            r.Problem("stall_timeout", "must be greater than 0");
        return config;
    }

    /// <summary>prompt_cache_dir: off, or a directory (created at the first write); an existing file there is refused.</summary>
    private static string? PromptCacheDirectorySetting(Reader r)
    {
        string? setting = r.String("prompt_cache_dir");
        string? directory = PromptCacheLocation.Resolve(setting, WeightCacheLocation.Resolve(r.String("weight_cache")));
        if (setting is { Length: > 0 } && directory != null && File.Exists(directory))
            r.Problem("prompt_cache_dir", $"'{directory}' is a file, not a directory");
        return directory;
    }

    /// <summary>Typed reads of raw values; a bad value records a problem naming key, value and source, and yields the default.</summary>
    private sealed class Reader(Dictionary<string, (string Value, string Source, bool Quoted)> values, List<string> problems)
    {
        public void Problem(string key, string message) =>
            problems.Add(values.TryGetValue(key, out var v) ? $"{key}: {message} (from {v.Source})" : $"{key}: {message}");

        public string? String(string key) => values.TryGetValue(key, out var v) ? v.Value : null;

        private T Parse<T>(string key, T fallback, string expected, Func<string, (bool Ok, T Value)> parse, bool text = false)
        {
            if (!values.TryGetValue(key, out var v)) return fallback;
            if (v.Quoted && !text)
            {
                // "context_size": "2048" is a typo waiting to happen elsewhere; the file says numbers and booleans bare.
                Problem(key, $"must be {expected} without quotes, got the string \"{v.Value}\"");
                return fallback;
            }
            var (ok, value) = parse(v.Value.Trim());
            if (ok) return value;
            Problem(key, $"must be {expected}, got '{v.Value}'");
            return fallback;
        }

        /// <summary>A value checked by the field's one rule (shared with the command line and the wire).</summary>
        public double Number(NumberField field, double fallback) => Parse(field.Key, fallback, field.Expected,
            s => (field.Parse(s, out double x) is null, x));

        /// <summary>threads: auto (quoted in the file, as the string it is) or a bare count; unset is auto.</summary>
        public int Threads(ThreadCountField field)
        {
            if (!values.TryGetValue(field.Key, out var v)) return ModelOptions.AutoThreads;
            string? problem = field.Parse(v.Value, out int threads);
            if (problem is null && v.Quoted && threads != ModelOptions.AutoThreads)
                problem = $"must be {field.Expected}, a count without quotes, got the string \"{v.Value}\"";
            if (problem is null) return threads;
            Problem(field.Key, problem);
            return ModelOptions.AutoThreads;
        }

        public int Int(string key, int fallback, int min, int max) => Parse(key, fallback, $"an integer from {min} to {max}",
            s => (int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int x) && x >= min && x <= max, x));

        public float Float(string key, float fallback, float min, float max) => Parse(key, fallback, $"a number from {min} to {max}",
            s => (float.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out float x) && x >= min && x <= max, x));

        public TimeSpan Seconds(string key, double fallback) => TimeSpan.FromSeconds(Parse(key, fallback, "a number of seconds from 0 to 86400",
            s => (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) && x >= 0 && x <= 86400, x)));

        public bool Bool(string key, bool fallback) => Parse(key, fallback, "true or false", s => s.ToLowerInvariant() switch
        {
            "true" or "1" or "yes" => (true, true),
            "false" or "0" or "no" => (true, false),
            _ => (false, false),
        });

        public ulong? Seed(string key) => Parse<ulong?>(key, null, "a non-negative integer",
            s => (ulong.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out ulong x), x));

        public string Choice(string key, string fallback, string[] choices) => Parse(key, fallback, string.Join(" or ", choices),
            s => (choices.Contains(s.ToLowerInvariant()), s.ToLowerInvariant()), text: true);

        public UnixFileMode Mode(string key, string fallback) => (UnixFileMode)Parse(key, Convert.ToInt32(fallback, 8), "an octal mode from 0000 to 0777 such as 0660",
            s => s.Length is > 0 and <= 4 && s.All(c => c is >= '0' and <= '7') && Convert.ToInt32(s, 8) is var m && m <= 0x1FF ? (true, m) : (false, 0), text: true);
    }
}
