using System.Globalization;
using System.Text;

namespace EdgeLlm.Transports.Mqtt;

/// <summary>
/// The <c>mqtt_*</c> configuration keys. Defaults suit a mosquitto on the same Pi: plain TCP to localhost:1883,
/// QoS 1, topics under <c>edgellm/&lt;device-id&gt;</c>, fleet group <c>edgellm</c>, Home Assistant discovery off.
/// <see cref="Validate"/> names the key of every problem; <see cref="FromLookup"/> reads the keys from any source.
/// </summary>
public sealed record MqttSettings
{
    /// <summary><c>mqtt_enabled</c>: the transport runs only when true.</summary>
    public bool Enabled { get; init; }

    /// <summary><c>mqtt_host</c>: broker host name or address.</summary>
    public string Host { get; init; } = "localhost";

    /// <summary><c>mqtt_port</c>: 0 means 1883, or 8883 with TLS.</summary>
    public int Port { get; init; }

    /// <summary><c>mqtt_client_id</c>: default <c>edgellm-&lt;device-id&gt;</c>. Must be unique on the broker.</summary>
    public string? ClientId { get; init; }

    /// <summary><c>mqtt_device_id</c>: default the host name, lower-cased, other characters than a-z 0-9 _ - turned into '-'.</summary>
    public string? DeviceId { get; init; }

    /// <summary><c>mqtt_username</c> and <c>mqtt_password</c> (or <c>mqtt_password_file</c>, whose first line is the password).</summary>
    public string? Username { get; init; }
    public string? Password { get; init; }
    public string? PasswordFile { get; init; }

    /// <summary><c>mqtt_tls</c>: connect with TLS; the broker certificate must chain to <see cref="CaFile"/> (or the system CAs).</summary>
    public bool Tls { get; init; }

    /// <summary><c>mqtt_tls_ca_file</c>: PEM file of the CA(s) that signed the broker certificate.</summary>
    public string? CaFile { get; init; }

    /// <summary><c>mqtt_tls_client_cert</c> / <c>mqtt_tls_client_key</c>: PEM client certificate and key (both or neither).</summary>
    public string? ClientCertFile { get; init; }
    public string? ClientKeyFile { get; init; }

    /// <summary><c>mqtt_tls_allow_untrusted</c>: accept any broker certificate. Off by default; for tests only.</summary>
    public bool AllowUntrusted { get; init; }

    /// <summary><c>mqtt_keep_alive</c> (seconds).</summary>
    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary><c>mqtt_topic_prefix</c>: default <c>edgellm/&lt;device-id&gt;</c>.</summary>
    public string? TopicPrefix { get; init; }

    /// <summary><c>mqtt_qos</c>: QoS of subscriptions and replies (0, 1 or 2).</summary>
    public int Qos { get; init; } = 1;

    /// <summary><c>mqtt_fleet_group</c>: shared-subscription group for <c>edgellm/fleet/prompt</c>; empty turns the fleet topic off.</summary>
    public string FleetGroup { get; init; } = "edgellm";

    /// <summary><c>mqtt_max_payload</c> (bytes): larger requests get a <c>bad_request</c> reply without being parsed.</summary>
    public int MaxPayloadBytes { get; init; } = 64 * 1024;

    /// <summary>The largest <see cref="MaxPayloadBytes"/> allowed; bigger payloads are dropped by the broker (the client's Maximum Packet Size).</summary>
    public const uint LargestMaxPayload = 16 * 1024 * 1024;

    /// <summary><c>mqtt_session_expiry</c> (seconds): how long the broker keeps the session (subscriptions, queued QoS 1 requests) across a disconnect.</summary>
    public TimeSpan SessionExpiry { get; init; } = TimeSpan.FromHours(1);

    /// <summary><c>mqtt_reconnect_min</c> / <c>mqtt_reconnect_max</c> (seconds): the capped exponential backoff between connection attempts.</summary>
    public TimeSpan ReconnectMin { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan ReconnectMax { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary><c>mqtt_status_interval</c> (seconds): the retained status is republished at least this often (and on every change).</summary>
    public TimeSpan StatusInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary><c>mqtt_ha_discovery</c>: publish Home Assistant MQTT discovery configs under <see cref="DiscoveryPrefix"/>.</summary>
    public bool HomeAssistantDiscovery { get; init; }

    /// <summary><c>mqtt_ha_discovery_prefix</c>.</summary>
    public string DiscoveryPrefix { get; init; } = "homeassistant";

    /// <summary><c>mqtt_max_pending</c>: outbound messages kept while the broker is away; past it streamed pieces are
    /// dropped (final replies never are: they carry the whole text).</summary>
    public int MaxPendingMessages { get; init; } = 10_000;

    public int EffectivePort => Port != 0 ? Port : Tls ? 8883 : 1883;

    public string EffectiveDeviceId => string.IsNullOrEmpty(DeviceId) ? SanitizeDeviceId(Environment.MachineName) : DeviceId;

    public string EffectiveClientId => string.IsNullOrEmpty(ClientId) ? $"edgellm-{EffectiveDeviceId}" : ClientId;

    public string EffectiveTopicPrefix => string.IsNullOrEmpty(TopicPrefix) ? $"edgellm/{EffectiveDeviceId}" : TopicPrefix;

    /// <summary>The problems of these settings, one line each, naming the key (<c>mqtt_port must be ...</c>); empty when usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Host)) errors.Add("mqtt_host must not be empty");
        if (Port is < 0 or > 65535) errors.Add($"mqtt_port must be from 1 to 65535 (0: default), got {Port}");
        if (ClientId is { Length: > 0 } id && (id.Length > 256 || Encoding.UTF8.GetByteCount(id) > 256))
            errors.Add("mqtt_client_id must be at most 256 bytes");
        if (DeviceId is { Length: > 0 } device && !MqttTopics.IsValidLevel(device))
            errors.Add($"mqtt_device_id '{device}' must not contain '/', '+', '#' or control characters");
        if (Username is null && (Password is not null || PasswordFile is not null))
            errors.Add("mqtt_password is set but mqtt_username is not");
        if (Password is not null && PasswordFile is not null)
            errors.Add("give mqtt_password or mqtt_password_file, not both");
        if (PasswordFile is not null && !File.Exists(PasswordFile))
            errors.Add($"mqtt_password_file '{PasswordFile}' does not exist");
        if (!Tls && (CaFile ?? ClientCertFile ?? ClientKeyFile) is not null)
            errors.Add("mqtt_tls_ca_file/tls_client_cert/tls_client_key are set but mqtt_tls is false");
        if (CaFile is not null && !File.Exists(CaFile)) errors.Add($"mqtt_tls_ca_file '{CaFile}' does not exist");
        if ((ClientCertFile is null) != (ClientKeyFile is null))
            errors.Add("mqtt_tls_client_cert and mqtt_tls_client_key must be given together");
        if (ClientCertFile is not null && !File.Exists(ClientCertFile)) errors.Add($"mqtt_tls_client_cert '{ClientCertFile}' does not exist");
        if (ClientKeyFile is not null && !File.Exists(ClientKeyFile)) errors.Add($"mqtt_tls_client_key '{ClientKeyFile}' does not exist");
        if (KeepAlive < TimeSpan.Zero || KeepAlive > TimeSpan.FromSeconds(ushort.MaxValue))
            errors.Add($"mqtt_keep_alive must be from 0 to 65535 s, got {KeepAlive.TotalSeconds:0.###}");
        if (TopicPrefix is { Length: > 0 } prefix && !MqttTopics.IsValidPrefix(prefix))
            errors.Add($"mqtt_topic_prefix '{prefix}' must be a topic without wildcards ('+', '#'), not start with '$' or '/', not end with '/'");
        if (Qos is < 0 or > 2) errors.Add($"mqtt_qos must be 0, 1 or 2, got {Qos}");
        if (FleetGroup.Length > 0 && !MqttTopics.IsValidLevel(FleetGroup))
            errors.Add($"mqtt_fleet_group '{FleetGroup}' must not contain '/', '+', '#' or control characters");
        if (MaxPayloadBytes is < 64 or > (int)LargestMaxPayload)
            errors.Add($"mqtt_max_payload must be from 64 to 16777216 bytes, got {MaxPayloadBytes}");
        if (SessionExpiry < TimeSpan.Zero || SessionExpiry.TotalSeconds > uint.MaxValue)
            errors.Add("mqtt_session_expiry must be from 0 to 4294967295 s");
        if (ReconnectMin <= TimeSpan.Zero) errors.Add("mqtt_reconnect_min must be above 0");
        if (ReconnectMax < ReconnectMin) errors.Add("mqtt_reconnect_max must be at least mqtt_reconnect_min");
        if (StatusInterval < TimeSpan.FromSeconds(1)) errors.Add("mqtt_status_interval must be at least 1 s");
        if (HomeAssistantDiscovery && !MqttTopics.IsValidPrefix(DiscoveryPrefix))
            errors.Add($"mqtt_ha_discovery_prefix '{DiscoveryPrefix}' is not a valid topic prefix");
        if (MaxPendingMessages < 16) errors.Add($"mqtt_max_pending must be at least 16, got {MaxPendingMessages}");
        return errors;
    }

    /// <summary>The keys <see cref="FromLookup"/> reads, for help texts and unknown-key checks.</summary>
    public static readonly IReadOnlyList<string> Keys =
    [
        "mqtt_enabled", "mqtt_host", "mqtt_port", "mqtt_client_id", "mqtt_device_id", "mqtt_username", "mqtt_password",
        "mqtt_password_file", "mqtt_tls", "mqtt_tls_ca_file", "mqtt_tls_client_cert", "mqtt_tls_client_key",
        "mqtt_tls_allow_untrusted", "mqtt_keep_alive", "mqtt_topic_prefix", "mqtt_qos", "mqtt_fleet_group",
        "mqtt_max_payload", "mqtt_session_expiry", "mqtt_reconnect_min", "mqtt_reconnect_max", "mqtt_status_interval",
        "mqtt_ha_discovery", "mqtt_ha_discovery_prefix", "mqtt_max_pending",
    ];

    /// <summary>
    /// Reads the settings from string values (config file, environment, flags: whatever <paramref name="lookup"/>
    /// consults; null means "not set"). Values that do not parse are added to <paramref name="errors"/> by key and
    /// keep their default; call <see cref="Validate"/> afterwards for range checks.
    /// </summary>
    public static MqttSettings FromLookup(Func<string, string?> lookup, List<string> errors)
    {
        var d = new MqttSettings();
        return new MqttSettings
        {
            Enabled = Bool("mqtt_enabled", d.Enabled),
            Host = Str("mqtt_host") ?? d.Host,
            Port = Int("mqtt_port", d.Port),
            ClientId = Str("mqtt_client_id"),
            DeviceId = Str("mqtt_device_id"),
            Username = Str("mqtt_username"),
            Password = lookup("mqtt_password"),
            PasswordFile = Str("mqtt_password_file"),
            Tls = Bool("mqtt_tls", d.Tls),
            CaFile = Str("mqtt_tls_ca_file"),
            ClientCertFile = Str("mqtt_tls_client_cert"),
            ClientKeyFile = Str("mqtt_tls_client_key"),
            AllowUntrusted = Bool("mqtt_tls_allow_untrusted", d.AllowUntrusted),
            KeepAlive = Seconds("mqtt_keep_alive", d.KeepAlive),
            TopicPrefix = Str("mqtt_topic_prefix"),
            Qos = Int("mqtt_qos", d.Qos),
            FleetGroup = lookup("mqtt_fleet_group")?.Trim() ?? d.FleetGroup,
            MaxPayloadBytes = Int("mqtt_max_payload", d.MaxPayloadBytes),
            SessionExpiry = Seconds("mqtt_session_expiry", d.SessionExpiry),
            ReconnectMin = Seconds("mqtt_reconnect_min", d.ReconnectMin),
            ReconnectMax = Seconds("mqtt_reconnect_max", d.ReconnectMax),
            StatusInterval = Seconds("mqtt_status_interval", d.StatusInterval),
            HomeAssistantDiscovery = Bool("mqtt_ha_discovery", d.HomeAssistantDiscovery),
            DiscoveryPrefix = Str("mqtt_ha_discovery_prefix") ?? d.DiscoveryPrefix,
            MaxPendingMessages = Int("mqtt_max_pending", d.MaxPendingMessages),
        };

        string? Str(string key) => lookup(key) is { } v && v.Trim().Length > 0 ? v.Trim() : null;

        bool Bool(string key, bool fallback)
        {
            switch (Str(key)?.ToLowerInvariant())
            {
                case null: return fallback;
                case "true" or "yes" or "on" or "1": return true;
                case "false" or "no" or "off" or "0": return false;
                default:
                    errors.Add($"{key} must be true or false, got '{lookup(key)}'");
                    return fallback;
            }
        }

        int Int(string key, int fallback)
        {
            if (Str(key) is not { } v) return fallback;
            if (int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n)) return n;
            errors.Add($"{key} must be an integer, got '{v}'");
            return fallback;
        }

        TimeSpan Seconds(string key, TimeSpan fallback)
        {
            if (Str(key) is not { } v) return fallback;
            if (double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double s) && double.IsFinite(s) && Math.Abs(s) < 1e9)
                return TimeSpan.FromSeconds(s);
            errors.Add($"{key} must be a number of seconds, got '{v}'");
            return fallback;
        }
    }

    /// <summary>The password to log in with: <see cref="Password"/>, or the first line of <see cref="PasswordFile"/>.</summary>
    internal string? ResolvePassword() =>
        PasswordFile is null ? Password : File.ReadLines(PasswordFile).FirstOrDefault()?.TrimEnd('\r') ?? "";

    internal static string SanitizeDeviceId(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (char c in name.ToLowerInvariant())
            sb.Append(c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '-' ? c : '-');
        string id = sb.ToString().Trim('-');
        return id.Length > 0 ? id : "edgellm";
    }

    /// <summary>Hides the password in logs and ToString.</summary>
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append(CultureInfo.InvariantCulture, $"Host = {Host}, Port = {EffectivePort}, ClientId = {EffectiveClientId}, TopicPrefix = {EffectiveTopicPrefix}, ");
        builder.Append(CultureInfo.InvariantCulture, $"Username = {Username ?? "-"}, Tls = {Tls}, Qos = {Qos}, FleetGroup = {FleetGroup}");
        return true;
    }
}
