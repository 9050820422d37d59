using System.Text;
using System.Text.Json;
using EdgeLlm.Pipeline;
using EdgeLlm.Transports.Mqtt;

namespace EdgeLlm.Tests.Mqtt;

/// <summary>The MQTT transport against a real mosquitto, with the stock clients where they fit.</summary>
public class MqttTransportTests
{
    private static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(15);
    private const string StoryStart = ", there was a little girl";

    [Fact]
    public async Task Mosquitto_rr_round_trip_with_response_topic_and_correlation_data()
    {
        using var broker = new MosquittoBroker();
        await using var node = await new MqttNode(broker, "rr").StartAsync();

        // The stock request/response client: Response Topic set, prints the one reply.
        var rr = await Task.Run(() => broker.Client("mosquitto_rr", ClientTimeout, "-t", node.Topics.Prompt, "-e", "replies/rr-1", "-q", "1",
            "-W", "10", "-m", MqttNode.Request("r1"), "-D", "publish", "correlation-data", "corr-42"));
        Assert.True(rr.Exit == 0, rr.Err + broker.LogText);
        using var reply = JsonDocument.Parse(rr.Out);
        Assert.Equal("r1", reply.RootElement.GetProperty("id").GetString());
        Assert.True(reply.RootElement.GetProperty("done").GetBoolean());
        Assert.StartsWith(StoryStart, reply.RootElement.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal("length", reply.RootElement.GetProperty("finish_reason").GetString());

        // Correlation Data comes back byte for byte, also without an id.
        await using var client = await MqttTestClient.ConnectAsync(broker, "replies/corr");
        byte[] correlation = [0, 1, 2, 250, 255];
        await client.PublishAsync(node.Topics.Prompt, MqttNode.Request(null, maxTokens: 4), "replies/corr", correlation);
        var m = await client.WaitForAsync("replies/corr");
        Assert.Equal(correlation, m.CorrelationData);
        Assert.Equal("application/json", m.ContentType);
        var json = MqttTestClient.Json(m);
        Assert.False(json.TryGetProperty("id", out _));
        Assert.True(json.GetProperty("done").GetBoolean());
    }

    [Fact]
    public async Task Streams_pieces_in_order_then_done_to_the_reply_id_topic()
    {
        using var broker = new MosquittoBroker();
        await using var node = await new MqttNode(broker, "stream").StartAsync();
        await using var client = await MqttTestClient.ConnectAsync(broker, node.Topics.Prefix + "/reply/#");

        await client.PublishAsync(node.Topics.Prompt, MqttNode.Request("s1", maxTokens: 24, stream: true));
        var replies = await client.RepliesUntilFinalAsync(node.Topics.Prefix + "/reply/s1");
        var done = replies[^1];
        Assert.True(done.GetProperty("done").GetBoolean());
        Assert.Equal(24, done.GetProperty("tokens").GetInt32());
        var pieces = replies[..^1];
        Assert.True(pieces.Count >= 10, $"{pieces.Count} pieces");
        Assert.All(pieces, p => Assert.Equal("s1", p.GetProperty("id").GetString()));
        Assert.Equal(done.GetProperty("text").GetString(), string.Concat(pieces.Select(p => p.GetProperty("token").GetString())));

        // "stream": false sends only the final message.
        await client.PublishAsync(node.Topics.Prompt, MqttNode.Request("s2", maxTokens: 24));
        var only = await client.RepliesUntilFinalAsync(node.Topics.Prefix + "/reply/s2");
        Assert.Single(only);
        Assert.Equal(done.GetProperty("text").GetString(), only[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task Fleet_requests_are_split_between_two_daemons_by_the_shared_subscription()
    {
        using var broker = new MosquittoBroker();
        // Slow enough that one daemon cannot take every request before the other gets its share.
        await using var a = await new MqttNode(broker, "fleet-a", TimeSpan.FromMilliseconds(5)).StartAsync();
        await using var b = await new MqttNode(broker, "fleet-b", TimeSpan.FromMilliseconds(5)).StartAsync();
        await using var client = await MqttTestClient.ConnectAsync(broker, "fleet-replies/#");

        const int n = 10;
        for (int i = 0; i < n; i++)
            await client.PublishAsync(MqttTopics.FleetPrompt, MqttNode.Request($"f{i}", maxTokens: 6), $"fleet-replies/f{i}");
        var answered = new Dictionary<string, JsonElement>();
        while (answered.Count < n)
        {
            var m = await client.NextAsync();
            var json = MqttTestClient.Json(m);
            Assert.True(json.TryGetProperty("done", out _), json.ToString());
            Assert.True(answered.TryAdd(json.GetProperty("id").GetString()!, json), "answered twice: " + json);
        }
        long servedA = a.Pipeline.Status().RequestsServed, servedB = b.Pipeline.Status().RequestsServed;
        Assert.Equal(n, servedA + servedB);
        Assert.True(servedA > 0 && servedB > 0, $"split {servedA}/{servedB}");
    }

    [Fact]
    public async Task Cancel_by_id_ends_the_answer_and_status_goes_busy_then_idle()
    {
        using var broker = new MosquittoBroker();
        await using var node = await new MqttNode(broker, "cancel", TimeSpan.FromMilliseconds(40),
            condition: () => new DeviceCondition(false, false, 48.5)).StartAsync();
        await using var client = await MqttTestClient.ConnectAsync(broker, node.Topics.Status, node.Topics.Prefix + "/reply/#");

        var retained = await client.WaitForAsync(node.Topics.Status);
        Assert.True(retained.Retain);
        var idle = MqttTestClient.Json(retained);
        Assert.Equal("idle", idle.GetProperty("state").GetString());
        Assert.Equal("stories260K.gguf", idle.GetProperty("model").GetString());
        Assert.Equal(48.5, idle.GetProperty("temperature").GetDouble());

        await client.PublishAsync(node.Topics.Prompt, MqttNode.Request("long", maxTokens: 400, stream: true));
        await client.WaitForAsync(node.Topics.Status, m => MqttTestClient.Json(m).GetProperty("state").GetString() == "busy");
        await client.WaitForAsync(node.Topics.Prefix + "/reply/long"); // a first piece
        await client.PublishAsync(node.Topics.Cancel, """{"id":"long"}""");
        // The final reply (outbox) and the idle status (published directly) may arrive in either order.
        JsonElement? done = null, idleAgain = null;
        while (done is null || idleAgain is null)
        {
            var m = await client.NextAsync();
            var json = MqttTestClient.Json(m);
            if (m.Topic == node.Topics.Status && json.GetProperty("state").GetString() == "idle") idleAgain = json;
            else if (json.TryGetProperty("done", out _)) done = json;
        }
        Assert.Equal("cancelled", done.Value.GetProperty("finish_reason").GetString());
        Assert.True(done.Value.GetProperty("tokens").GetInt32() < 400);
        Assert.Equal(1, idleAgain.Value.GetProperty("requests_served").GetInt64());
    }

    [Fact]
    public async Task Availability_is_online_when_ready_and_the_last_will_says_offline_when_the_daemon_dies()
    {
        using var broker = new MosquittoBroker();
        var node = await new MqttNode(broker, "lwt").StartAsync();
        try
        {
            await using var client = await MqttTestClient.ConnectAsync(broker, node.Topics.Availability);
            var online = await client.WaitForAsync(node.Topics.Availability);
            Assert.Equal("online", MqttTestClient.Text(online));

            node.Transport.Crash(); // the TCP connection drops without DISCONNECT, as with kill -9
            var offline = await client.WaitForAsync(node.Topics.Availability);
            Assert.Equal("offline", MqttTestClient.Text(offline));
        }
        finally
        {
            await node.DisposeAsync();
        }
        // Retained: a newcomer learns it too (the stock client, one retained message).
        var sub = broker.Client("mosquitto_sub", ClientTimeout, "-t", "edgellm/lwt/availability", "-C", "1", "-W", "5");
        Assert.Equal("offline", sub.Out.Trim());
    }

    [Fact]
    public async Task Clean_stop_publishes_offline_and_home_assistant_discovery_is_retained()
    {
        using var broker = new MosquittoBroker();
        var node = await new MqttNode(broker, "ha", configure: s => s with { HomeAssistantDiscovery = true }).StartAsync();
        await node.DisposeAsync();
        var availability = broker.Client("mosquitto_sub", ClientTimeout, "-t", "edgellm/ha/availability", "-C", "1", "-W", "5");
        Assert.Equal("offline", availability.Out.Trim());
        var configs = broker.Client("mosquitto_sub", ClientTimeout, "-t", "homeassistant/sensor/edgellm_ha/+/config", "-C", "4", "-W", "5", "-v");
        Assert.True(configs.Exit == 0, configs.Err);
        foreach (string sensor in new[] { "state", "temperature", "tps", "queue" })
            Assert.Contains($"homeassistant/sensor/edgellm_ha/{sensor}/config ", configs.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Username_and_password_log_in_and_a_wrong_password_is_logged_and_retried()
    {
        using var broker = new MosquittoBroker("edge", "s3cret");
        await using var good = await new MqttNode(broker, "auth-good").StartAsync();
        var rr = await Task.Run(() => broker.Client("mosquitto_rr", ClientTimeout, "-t", good.Topics.Prompt, "-e", "auth/reply", "-q", "1", "-W", "10", "-m", MqttNode.Request("a1", 4)));
        Assert.True(rr.Exit == 0, rr.Err);
        Assert.Contains("\"done\":true", rr.Out, StringComparison.Ordinal);

        await using var bad = await new MqttNode(broker, "auth-bad", configure: s => s with { Password = "wrong" }).StartAsync(waitConnected: false);
        string first = await bad.Log.WaitForAsync("refused the login");
        Assert.Contains("user 'edge'", first, StringComparison.Ordinal);
        Assert.Contains("mqtt_password", first, StringComparison.Ordinal);
        await bad.Log.WaitForAsync("(attempt 2)");
        Assert.False(bad.Transport.IsConnected);
    }

    [Fact]
    public async Task Tls_with_a_test_ca_and_a_clear_message_without_it()
    {
        using var broker = new MosquittoBroker(tls: true);
        await using var node = await new MqttNode(broker, "tls").StartAsync();
        await using var client = await MqttTestClient.ConnectAsync(broker, "tls/reply");
        await client.PublishAsync(node.Topics.Prompt, MqttNode.Request("t1", 4), "tls/reply");
        Assert.True(MqttTestClient.Json(await client.WaitForAsync("tls/reply")).GetProperty("done").GetBoolean());

        await using var untrusting = await new MqttNode(broker, "tls-no-ca", configure: s => s with { CaFile = null }).StartAsync(waitConnected: false);
        string line = await untrusting.Log.WaitForAsync("TLS handshake failed");
        Assert.Contains("mqtt_tls_ca_file", line, StringComparison.Ordinal);

        string otherCa = Path.Combine(Path.GetTempPath(), $"edgellm-other-ca-{Guid.NewGuid():N}.pem");
        using (var key = System.Security.Cryptography.RSA.Create(2048))
        using (var ca = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=Other CA", key,
                   System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1)
                   .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1)))
            File.WriteAllText(otherCa, ca.ExportCertificatePem());
        try
        {
            await using var wrongCa = await new MqttNode(broker, "tls-wrong-ca", configure: s => s with { CaFile = otherCa }).StartAsync(waitConnected: false);
            string wrong = await wrongCa.Log.WaitForAsync("TLS handshake failed");
            Assert.Contains(otherCa, wrong, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(otherCa);
        }
    }

    [Fact]
    public async Task Broker_down_at_start_is_retried_until_it_comes_up()
    {
        using var broker = new MosquittoBroker();
        broker.Kill();
        await using var node = await new MqttNode(broker, "late").StartAsync(waitConnected: false);
        string line = await node.Log.WaitForAsync("(attempt 2)");
        Assert.Contains("broker unreachable", line, StringComparison.Ordinal);
        Assert.Contains("retrying in", line, StringComparison.Ordinal);
        broker.Start();
        await node.Transport.WaitConnectedAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        var rr = await Task.Run(() => broker.Client("mosquitto_rr", ClientTimeout, "-t", node.Topics.Prompt, "-e", "late/reply", "-q", "1", "-W", "10", "-m", MqttNode.Request("l1", 4)));
        Assert.Contains("\"done\":true", rr.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Broker_killed_and_restarted_mid_stream_the_rest_of_the_answer_follows_after_the_reconnect()
    {
        using var broker = new MosquittoBroker();
        await using var node = await new MqttNode(broker, "restart", TimeSpan.FromMilliseconds(25)).StartAsync();
        await using var client = await MqttTestClient.ConnectAsync(broker, "restart/reply");
        // The requester must be back (and subscribed) before the daemon publishes the rest: the broker here keeps no
        // sessions across its restart, so the daemon's reconnect waits for the test's go.
        var requesterBack = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        await client.PublishAsync(node.Topics.Prompt, MqttNode.Request("k1", maxTokens: 80, stream: true), "restart/reply");
        var before = new List<string>();
        for (int i = 0; i < 5; i++) before.Add(MqttTestClient.Json(await client.WaitForAsync("restart/reply")).GetProperty("token").GetString()!);

        node.Transport.Connection.BeforeConnect = ct => requesterBack.Task.WaitAsync(ct);
        broker.Kill();
        broker.Start();
        await client.ReconnectAsync();
        requesterBack.SetResult();

        var rest = await client.RepliesUntilFinalAsync("restart/reply", TimeSpan.FromSeconds(20));
        var done = rest[^1];
        Assert.True(done.GetProperty("done").GetBoolean(), done.ToString());
        Assert.Equal(80, done.GetProperty("tokens").GetInt32());
        string text = done.GetProperty("text").GetString()!;
        // A piece the dying broker had acknowledged may be lost, and the one in flight when it died may come twice
        // (QoS 1 is at least once); otherwise the pieces arrive in order, and the answer's end arrives after the reconnect.
        var pieces = before.Concat(rest[..^1].Select(p => p.GetProperty("token").GetString()!)).ToList();
        Assert.StartsWith(string.Concat(before), text, StringComparison.Ordinal);
        int at = 0;
        foreach (string piece in pieces)
        {
            int found = text.IndexOf(piece, at, StringComparison.Ordinal);
            Assert.True(found >= 0, $"piece '{piece}' out of order");
            at = found;
        }
        Assert.True(rest.Count > 1, "no pieces after the reconnect");
        Assert.EndsWith(pieces[^1], text, StringComparison.Ordinal);
        Assert.True(node.Transport.Connection.Connects >= 2);
    }

    [Fact]
    public async Task Bad_payloads_get_error_replies_and_the_daemon_keeps_serving()
    {
        using var broker = new MosquittoBroker();
        await using var node = await new MqttNode(broker, "bad", configure: s => s with { MaxPayloadBytes = 1024 }).StartAsync();
        await using var client = await MqttTestClient.ConnectAsync(broker, "bad/reply", node.Topics.Error, node.Topics.Prefix + "/reply/#");

        async Task<JsonElement> ErrorFor(byte[] payload, string? responseTopic = "bad/reply")
        {
            await client.PublishAsync(node.Topics.Prompt, payload, responseTopic);
            var m = await client.NextAsync();
            var json = MqttTestClient.Json(m);
            Assert.True(json.TryGetProperty("error", out var error), json.ToString());
            Assert.Equal(responseTopic ?? node.Topics.Error, m.Topic);
            return error;
        }

        var oversized = await ErrorFor(Encoding.UTF8.GetBytes($$"""{"id":"big","prompt":"{{new string('x', 2000)}}"}"""));
        Assert.Equal("bad_request", oversized.GetProperty("code").GetString());
        Assert.Contains("mqtt_max_payload allows 1024", oversized.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("not valid UTF-8", (await ErrorFor([0x7b, 0xff, 0xfe, 0x7d])).GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("invalid JSON", (await ErrorFor("{\"id\":"u8.ToArray())).GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("max_tokens must be an integer", (await ErrorFor("""{"id":"w","prompt":"hi","max_tokens":"many"}"""u8.ToArray())).GetProperty("message").GetString());
        Assert.Equal("colour is not a known field", (await ErrorFor("""{"prompt":"hi","colour":"red"}"""u8.ToArray())).GetProperty("message").GetString());
        Assert.Contains("Response Topic", (await ErrorFor("""{"prompt":"no way back"}"""u8.ToArray(), responseTopic: null)).GetProperty("message").GetString(), StringComparison.Ordinal);

        // Without a Response Topic the error of a request with an id goes to <prefix>/reply/<id>.
        await client.PublishAsync(node.Topics.Prompt, """{"id":"typed","prompt":7}""");
        var typed = await client.NextAsync();
        Assert.Equal(node.Topics.Prefix + "/reply/typed", typed.Topic);
        Assert.Equal("prompt must be a string", MqttTestClient.Json(typed).GetProperty("error").GetProperty("message").GetString());

        await client.PublishAsync(node.Topics.Cancel, "[1]", "bad/reply");
        Assert.Equal("bad_request", MqttTestClient.Json(await client.NextAsync()).GetProperty("error").GetProperty("code").GetString());

        await client.PublishAsync(node.Topics.Prompt, MqttNode.Request("fine", 4), "bad/reply");
        Assert.True(MqttTestClient.Json(await client.NextAsync()).GetProperty("done").GetBoolean());
        Assert.Equal(1, node.Pipeline.Status().RequestsServed);
    }

    [Fact]
    public async Task A_redelivered_request_does_not_run_twice()
    {
        using var broker = new MosquittoBroker();
        await using var node = await new MqttNode(broker, "dup").StartAsync();
        await using var client = await MqttTestClient.ConnectAsync(broker, "dup/reply");
        string request = MqttNode.Request("d1", 8);
        await client.PublishAsync(node.Topics.Prompt, request, "dup/reply", [9]);
        await client.PublishAsync(node.Topics.Prompt, request, "dup/reply", [9]);
        // Same id but another prompt is a new request.
        await client.PublishAsync(node.Topics.Prompt, MqttNode.Request("d1", 8, prompt: "The cat"), "dup/reply", [9]);
        Assert.True(MqttTestClient.Json(await client.NextAsync()).GetProperty("done").GetBoolean());
        Assert.True(MqttTestClient.Json(await client.NextAsync()).GetProperty("done").GetBoolean());
        await client.PublishAsync(node.Topics.Prompt, """{"op":"status","id":"st"}""", "dup/reply");
        var status = MqttTestClient.Json(await client.NextAsync());
        Assert.Equal("status", status.GetProperty("op").GetString());
        Assert.Equal(2, status.GetProperty("requests_served").GetInt64());
        Assert.Equal(2, node.Engine.Generations);
        Assert.Equal(1, node.Transport.DuplicatesIgnored);
    }

    [Fact]
    public async Task Load_200_requests_from_4_publishers_are_all_answered_once()
    {
        using var broker = new MosquittoBroker();
        await using var node = await new MqttNode(broker, "load", pipeline: new PipelineOptions { DefaultTemplate = "raw", QueueLength = 256 }).StartAsync();
        await using var listener = await MqttTestClient.ConnectAsync(broker, "load/reply/#");
        const int publishers = 4, each = 50;
        var publishing = Enumerable.Range(0, publishers).Select(async p =>
        {
            await using var c = await MqttTestClient.ConnectAsync(broker);
            for (int i = 0; i < each; i++)
                await c.PublishAsync(node.Topics.Prompt, MqttNode.Request($"p{p}-{i}", maxTokens: 3), $"load/reply/{p}");
        }).ToList();
        await Task.WhenAll(publishing);
        var seen = new HashSet<string>();
        var perPublisher = new Dictionary<string, List<int>>();
        while (seen.Count < publishers * each)
        {
            var m = await listener.NextAsync(TimeSpan.FromSeconds(30));
            var json = MqttTestClient.Json(m);
            Assert.True(json.TryGetProperty("done", out _), json.ToString());
            string id = json.GetProperty("id").GetString()!;
            Assert.True(seen.Add(id), "answered twice: " + id);
            Assert.Equal($"load/reply/{id[1..id.IndexOf('-')]}", m.Topic);
            (perPublisher.TryGetValue(m.Topic, out var l) ? l : perPublisher[m.Topic] = []).Add(int.Parse(id[(id.IndexOf('-') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        }
        // FIFO end to end: each publisher's answers come back in the order it asked.
        Assert.All(perPublisher.Values, l => Assert.Equal(Enumerable.Range(0, each), l));
        Assert.Equal(publishers * each, node.Pipeline.Status().RequestsServed);
    }

    [Fact]
    public async Task A_payload_far_over_max_payload_still_gets_its_bad_request()
    {
        using var broker = new MosquittoBroker();
        await using var node = await new MqttNode(broker, "huge").StartAsync();
        await using var client = await MqttTestClient.ConnectAsync(broker, "huge/reply");
        // 2 MB: past the old Maximum Packet Size (max_payload + 1 MiB), which made the broker drop it without a word.
        await client.PublishAsync(node.Topics.Prompt, Encoding.UTF8.GetBytes($$"""{"id":"huge","prompt":"{{new string('x', 2_000_000)}}"}"""), "huge/reply");
        var error = MqttTestClient.Json(await client.NextAsync()).GetProperty("error");
        Assert.Equal("bad_request", error.GetProperty("code").GetString());
        Assert.Contains("mqtt_max_payload allows 65536", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Response_topics_on_the_daemons_own_fleet_and_broker_topics_are_refused()
    {
        using var broker = new MosquittoBroker();
        await using var node = await new MqttNode(broker, "rt").StartAsync();
        await using var client = await MqttTestClient.ConnectAsync(broker, node.Topics.Prefix + "/reply/#", node.Topics.Availability, "edgellm/fleet/#");
        Assert.Equal("online", Encoding.UTF8.GetString((await client.NextAsync()).Payload));

        foreach (string topic in new[] { node.Topics.Availability, node.Topics.Prompt, "edgellm/fleet/prompt", "$SYS/x" })
        {
            await client.PublishAsync(node.Topics.Prompt, """{"id":"rt1","prompt":"Once upon a time","max_tokens":2}""", topic);
            var m = await client.NextAsync();
            Assert.Equal(node.Topics.Prefix + "/reply/rt1", m.Topic);
            var json = MqttTestClient.Json(m);
            Assert.Equal("rt1", json.GetProperty("id").GetString());
            Assert.StartsWith($"the Response Topic '{topic}' is refused", json.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        }
        // The reply subtree stays usable as a Response Topic.
        await client.PublishAsync(node.Topics.Prompt, """{"id":"rt2","prompt":"Once upon a time","max_tokens":2}""", node.Topics.Prefix + "/reply/mine");
        var ok = await client.NextAsync();
        Assert.Equal(node.Topics.Prefix + "/reply/mine", ok.Topic);
    }

    [Fact]
    public async Task Errors_keep_a_readable_id_and_unknown_cancels_answer_as_on_the_socket()
    {
        using var broker = new MosquittoBroker();
        await using var node = await new MqttNode(broker, "ids").StartAsync();
        await using var client = await MqttTestClient.ConnectAsync(broker, node.Topics.Prefix + "/reply/#");

        await client.PublishAsync(node.Topics.Prompt, """{"id":"r9","prompt":""");
        var broken = await client.NextAsync();
        Assert.Equal(node.Topics.Prefix + "/reply/r9", broken.Topic);
        Assert.Equal("r9", MqttTestClient.Json(broken).GetProperty("id").GetString());

        await client.PublishAsync(node.Topics.Cancel, """{"id":"nobody"}""");
        var unknown = MqttTestClient.Json(await client.NextAsync());
        Assert.Equal("nobody", unknown.GetProperty("id").GetString());
        Assert.Equal("bad_request", unknown.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task The_retained_status_says_offline_after_a_stop_and_expires_if_the_daemon_dies()
    {
        using var broker = new MosquittoBroker();
        var node = await new MqttNode(broker, "gone", configure: s => s with { StatusInterval = TimeSpan.FromSeconds(20) }).StartAsync();
        await using (var watcher = await MqttTestClient.ConnectAsync(broker, "edgellm/gone/status"))
        {
            var live = await watcher.NextAsync();
            Assert.Equal("idle", MqttTestClient.Json(live).GetProperty("state").GetString());
            // A live status expires unless refreshed: a dead daemon's "idle" does not stay for ever.
            Assert.InRange(live.MessageExpiryInterval, 1u, 60u);

            // {"op":"status"} without an id or Response Topic: the status is published now, unchanged or not.
            await watcher.PublishAsync(node.Topics.Prompt, """{"op":"status"}""");
            Assert.Equal("idle", MqttTestClient.Json(await watcher.NextAsync(TimeSpan.FromSeconds(5))).GetProperty("state").GetString());
        }
        await node.DisposeAsync();

        await using var later = await MqttTestClient.ConnectAsync(broker, "edgellm/gone/status");
        var retained = await later.NextAsync();
        Assert.Equal("offline", MqttTestClient.Json(retained).GetProperty("state").GetString());
        Assert.Equal(0u, retained.MessageExpiryInterval);
    }
}
