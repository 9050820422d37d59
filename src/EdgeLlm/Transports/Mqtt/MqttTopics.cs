namespace EdgeLlm.Transports.Mqtt;

/// <summary>
/// The topic scheme. Under the device prefix (default <c>edgellm/&lt;device-id&gt;</c>): <c>prompt</c>, <c>cancel</c>,
/// <c>status</c> (retained), <c>availability</c> (retained <c>online</c>/<c>offline</c>, the Last Will),
/// <c>reply/&lt;id&gt;</c> and <c>error</c> (errors that have no other reply topic). Fleet-wide: requests on
/// <c>edgellm/fleet/prompt</c> through the shared subscription <c>$share/&lt;group&gt;/edgellm/fleet/prompt</c>,
/// cancels on <c>edgellm/fleet/cancel</c> (every device gets them).
/// </summary>
public sealed class MqttTopics
{
    public const string FleetPrompt = "edgellm/fleet/prompt";
    public const string FleetCancel = "edgellm/fleet/cancel";

    public MqttTopics(string prefix, string fleetGroup)
    {
        Prefix = prefix;
        Prompt = prefix + "/prompt";
        Cancel = prefix + "/cancel";
        Status = prefix + "/status";
        Availability = prefix + "/availability";
        Error = prefix + "/error";
        FleetSubscription = fleetGroup.Length > 0 ? $"$share/{fleetGroup}/{FleetPrompt}" : null;
    }

    public string Prefix { get; }
    public string Prompt { get; }
    public string Cancel { get; }
    public string Status { get; }
    public string Availability { get; }
    public string Error { get; }

    /// <summary>The shared subscription for fleet requests; null when the fleet is off.</summary>
    public string? FleetSubscription { get; }

    /// <summary>The reply topic of a request without a Response Topic: <c>&lt;prefix&gt;/reply/&lt;id&gt;</c>; null when the id cannot be a topic level.</summary>
    public string? ReplyFor(string? id) => id is { Length: > 0 } && IsValidPublishTopic(id) ? $"{Prefix}/reply/{id}" : null;

    /// <summary>What an incoming topic is for.</summary>
    public InboundKind Classify(string topic) =>
        topic == Prompt ? InboundKind.Prompt
        : topic == Cancel ? InboundKind.Cancel
        : topic == FleetPrompt && FleetSubscription is not null ? InboundKind.FleetPrompt
        : topic == FleetCancel && FleetSubscription is not null ? InboundKind.FleetCancel
        : InboundKind.Unknown;

    /// <summary>
    /// Null when a request's Response Topic may be published to, else why not: the daemon's own topics (except its
    /// reply subtree), the fleet topics, <c>$</c> topics and wildcards are refused, so that a client cannot make the daemon
    /// publish its availability, status, or requests to itself or to the fleet.
    /// </summary>
    public string? ResponseTopicProblem(string topic)
    {
        if (!IsValidPublishTopic(topic)) return "it is not a topic one can publish to (empty, wildcards '+' or '#', or too long)";
        if (topic.StartsWith('$')) return "topics starting with '$' belong to the broker";
        if ((topic == Prefix || topic.StartsWith(Prefix + "/", StringComparison.Ordinal)) && !topic.StartsWith(Prefix + "/reply/", StringComparison.Ordinal))
            return $"it is one of the daemon's own topics under {Prefix} (only {Prefix}/reply/... may be used)";
        if (topic.StartsWith("edgellm/fleet/", StringComparison.Ordinal) || topic == "edgellm/fleet")
            return "it is a fleet topic";
        return null;
    }

    /// <summary>A topic one may publish to: not empty, no wildcards, no NUL, at most 65535 UTF-8 bytes.</summary>
    public static bool IsValidPublishTopic(string topic) =>
        topic.Length is > 0 and <= 16384 && topic.IndexOfAny(['+', '#', '\0']) < 0 && System.Text.Encoding.UTF8.GetByteCount(topic) <= 65535;

    /// <summary>One topic level: no separators, wildcards or control characters.</summary>
    public static bool IsValidLevel(string level) =>
        level.Length is > 0 and <= 128 && !level.Any(c => c is '/' or '+' or '#' || char.IsControl(c));

    /// <summary>A prefix for our topics: a publishable topic that does not start with '$' or '/' nor end with '/'.</summary>
    public static bool IsValidPrefix(string prefix) =>
        IsValidPublishTopic(prefix) && !prefix.StartsWith('$') && !prefix.StartsWith('/') && !prefix.EndsWith('/') && !prefix.Any(char.IsControl);
}

public enum InboundKind
{
    Unknown,
    Prompt,
    Cancel,
    FleetPrompt,
    FleetCancel,
}
