using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using EdgeLlm.Hosting;
using EdgeLlm.Transports.Socket;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeLlm.Tests.Daemon;

/// <summary>The daemon over a real Unix socket: each test starts its own in-process host on a private socket.</summary>
[Collection("daemon")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class DaemonSocketTests
{
    private const string Story = ", there was a little girl named Lily. She loved to play outside in the park";

    private static string Request(string id, int maxTokens = 20, bool stream = true, string prompt = "Once upon a time") =>
        $$"""{"id":"{{id}}","prompt":"{{prompt}}","max_tokens":{{maxTokens}},"temperature":0,"stream":{{(stream ? "true" : "false")}}}""";

    [Fact]
    public async Task Streams_tokens_in_order_then_a_final_with_figures()
    {
        await using var daemon = await TestDaemon.StartAsync();
        using var client = daemon.Connect();
        client.Send(Request("r1", 20));
        var lines = await client.ReadUntilFinalAsync("r1");
        var final = lines[^1];
        Assert.True(final.GetProperty("done").GetBoolean());
        Assert.Equal("length", final.Finish());
        Assert.Equal(20, final.GetProperty("tokens").GetInt32());
        Assert.Equal(5, final.GetProperty("prompt_tokens").GetInt32());
        Assert.True(final.GetProperty("tps").GetDouble() > 0);
        Assert.True(final.TryGetProperty("prompt_tps", out _));
        string streamed = string.Concat(lines[..^1].Select(l => l.Str("token")));
        Assert.True(lines.Count > 5);
        Assert.Equal(final.Str("text"), streamed);
        Assert.StartsWith(", there was a little girl named Lily", streamed);
    }

    [Fact]
    public async Task Non_streaming_request_gets_only_the_final()
    {
        await using var daemon = await TestDaemon.StartAsync();
        using var client = daemon.Connect();
        client.Send(Request("n", 16, stream: false));
        var only = await client.ReadOneAsync();
        Assert.Equal("n", only.Str("id"));
        Assert.StartsWith(", there was a little girl", only.Str("text"));
        Assert.Equal("length", only.Finish());
    }

    [Fact]
    public async Task Concurrent_connections_each_get_their_own_answer()
    {
        await using var daemon = await TestDaemon.StartAsync(msPerToken: 2);
        using var a = daemon.Connect();
        using var b = daemon.Connect();
        a.Send(Request("r1", 16, prompt: "Once upon a time"));
        b.Send(Request("r1", 16, prompt: "Lily and Ben"));
        var (la, lb) = (await a.ReadUntilFinalAsync("r1"), await b.ReadUntilFinalAsync("r1"));
        Assert.StartsWith(", there was a little girl", la[^1].Str("text"));
        Assert.DoesNotContain(", there was a little girl", lb[^1].Str("text"));
        Assert.Equal(string.Concat(lb[..^1].Select(l => l.Str("token"))), lb[^1].Str("text"));
    }

    [Fact]
    public async Task Interleaved_ids_on_one_connection_are_answered_in_order()
    {
        await using var daemon = await TestDaemon.StartAsync(msPerToken: 2);
        using var client = daemon.Connect();
        client.Send(Request("first", 10));
        client.Send(Request("second", 10, prompt: "Lily and Ben"));
        var all = new List<JsonElement>();
        var second = await client.ReadUntilFinalAsync("second", all);
        Assert.Equal("first", all[^1].Str("id"));
        Assert.True(TestClient.IsFinal(all[^1]));
        Assert.All(all, l => Assert.Equal("first", l.Str("id")));
        Assert.Equal("length", second[^1].Finish());
        Assert.Equal(10, second[^1].GetProperty("tokens").GetInt32());
    }

    [Fact]
    public async Task Cancel_ends_the_answer_with_cancelled()
    {
        await using var daemon = await TestDaemon.StartAsync(msPerToken: 20);
        using var client = daemon.Connect();
        client.Send(Request("c", 400));
        Assert.Equal("c", (await client.ReadOneAsync()).Str("id"));
        client.Send("""{"cancel":"c"}""");
        var final = (await client.ReadUntilFinalAsync("c"))[^1];
        Assert.Equal("cancelled", final.Finish());
        Assert.True(final.GetProperty("tokens").GetInt32() < 100);

        client.Send("""{"cancel":"nope"}""");
        var unknown = await client.ReadOneAsync();
        Assert.Equal(("bad_request", "nope"), (unknown.ErrorCode(), unknown.Str("id")));
        client.Send("""{"cancel":"nope","id":"k1"}""");
        Assert.Equal("k1", (await client.ReadOneAsync()).Str("id"));
    }

    [Fact]
    public async Task Errors_echo_a_readable_id_and_whitespace_lines_are_blank_lines()
    {
        await using var daemon = await TestDaemon.StartAsync();
        using var client = daemon.Connect();
        client.Send("""{"id":"broken","prompt":"x""");
        var broken = await client.ReadOneAsync();
        Assert.Equal(("bad_request", "broken"), (broken.ErrorCode(), broken.Str("id")));
        Assert.DoesNotContain("isFinalBlock", broken.GetProperty("error").Str("message"));

        client.Send(" \t ");
        client.Send("""{"op":"status","id":"s"}""");
        Assert.Equal("s", (await client.ReadOneAsync()).Str("id"));
    }

    [Fact]
    public async Task Client_vanishing_mid_stream_cancels_its_generation()
    {
        await using var daemon = await TestDaemon.StartAsync(msPerToken: 20);
        var gone = daemon.Connect();
        gone.Send(Request("g", 400));
        await gone.ReadOneAsync();
        gone.Dispose();

        // 400 tokens at 20 ms would hold the model for 8 s; the next client is served at once.
        using var next = daemon.Connect();
        var clock = Stopwatch.StartNew();
        next.Send(Request("next", 5));
        var final = (await next.ReadUntilFinalAsync("next"))[^1];
        Assert.Equal("length", final.Finish());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"next request took {clock.Elapsed}");
    }

    [Fact]
    public async Task Full_queue_answers_busy_at_once()
    {
        await using var daemon = await TestDaemon.StartAsync(msPerToken: 20, c => c with { QueueLength = 1 });
        using var client = daemon.Connect();
        client.Send(Request("running", 400));
        await client.ReadOneAsync();
        client.Send(Request("queued", 5));
        client.Send(Request("over", 5));
        var over = (await client.ReadUntilFinalAsync("over"))[^1];
        Assert.Equal("busy", over.ErrorCode());
        client.Send("""{"cancel":"running"}""");
        Assert.Equal("cancelled", (await client.ReadUntilFinalAsync("running"))[^1].Finish());
        Assert.Equal("length", (await client.ReadUntilFinalAsync("queued"))[^1].Finish());
    }

    [Fact]
    public async Task Request_timeout_ends_a_started_answer_with_timeout()
    {
        await using var daemon = await TestDaemon.StartAsync(msPerToken: 20, c => c with { RequestTimeout = TimeSpan.FromMilliseconds(300) });
        using var client = daemon.Connect();
        client.Send(Request("t", 400));
        var final = (await client.ReadUntilFinalAsync("t"))[^1];
        Assert.Equal("timeout", final.Finish());
        Assert.InRange(final.GetProperty("tokens").GetInt32(), 1, 60);
    }

    [Fact]
    public async Task Bad_lines_get_error_replies_and_the_connection_keeps_working()
    {
        await using var daemon = await TestDaemon.StartAsync(configure: c => c with { MaxLineBytes = 4096 });
        using var client = daemon.Connect();

        client.Send("this is not json");
        Assert.Contains("invalid JSON", (await client.ReadOneAsync()).GetProperty("error").Str("message"));

        client.Send("""{"id":"w","prompt":"hi","max_tokens":"many"}""");
        var wrongType = await client.ReadOneAsync();
        Assert.Equal(("w", "bad_request"), (wrongType.Str("id"), wrongType.ErrorCode()));
        Assert.Contains("max_tokens", wrongType.GetProperty("error").Str("message"));

        client.Send("""{"id":"u","prompt":"hi","colour":"red"}""");
        Assert.Contains("colour is not a known field", (await client.ReadOneAsync()).GetProperty("error").Str("message"));

        client.Send($$"""{"prompt":"{{new string('a', 10_000)}}"}""");
        var oversized = await client.ReadOneAsync();
        Assert.Contains("longer than the 4096-byte limit", oversized.GetProperty("error").Str("message"));

        client.SendBytes([.. "{\"prompt\":\""u8, 0xC3, 0x28, .. "\"}\n"u8]);
        Assert.Contains("not valid UTF-8", (await client.ReadOneAsync()).GetProperty("error").Str("message"));

        client.Send(Request("ok", 8, stream: false));
        var ok = await client.ReadOneAsync();
        Assert.Equal(("ok", "length"), (ok.Str("id"), ok.Finish()));
    }

    [Fact]
    public async Task Too_long_prompt_and_bad_values_are_refused_with_codes()
    {
        await using var daemon = await TestDaemon.StartAsync(configure: c => c with { MaxPromptTokens = 8 });
        using var client = daemon.Connect();
        client.Send("""{"id":"long","prompt":"Once upon a time there was a little girl named Lily"}""");
        var tooLong = await client.ReadOneAsync();
        Assert.Equal(("long", "too_long"), (tooLong.Str("id"), tooLong.ErrorCode()));
        Assert.Contains("max_prompt_tokens allows 8", tooLong.GetProperty("error").Str("message"));

        client.Send("""{"id":"tp","prompt":"x","top_p":3}""");
        Assert.Equal("top_p must be a number above 0 and at most 1, got 3", (await client.ReadOneAsync()).GetProperty("error").Str("message"));
        client.Send("""{"id":"tpl","prompt":"x","template":"klingon"}""");
        Assert.Contains("Unknown chat template 'klingon'", (await client.ReadOneAsync()).GetProperty("error").Str("message"));
    }

    [Fact]
    public async Task Status_reports_model_queue_counters_and_guards()
    {
        await using var daemon = await TestDaemon.StartAsync();
        using var client = daemon.Connect();
        client.Send(Request("x", 4, stream: false));
        await client.ReadOneAsync();
        client.Send("""{"op":"status","id":"s"}""");
        var s = await client.ReadOneAsync();
        Assert.Equal(("s", "status", "stories260K.gguf", "ready"), (s.Str("id"), s.Str("op"), s.Str("model"), s.Str("state")));
        Assert.Equal(1, s.GetProperty("requests_served").GetInt64());
        Assert.Equal(0, s.GetProperty("queue_depth").GetInt32());
        Assert.Equal(512, s.GetProperty("context_size").GetInt32());
        Assert.True(s.GetProperty("last_tps").GetDouble() > 0);
        Assert.True(s.GetProperty("uptime_seconds").GetDouble() >= 0);
        Assert.Equal(JsonValueKind.Object, s.GetProperty("guards").ValueKind);
    }

    [Fact]
    public async Task Stop_mid_answer_sends_cancelled_finals_and_removes_the_socket()
    {
        var daemon = await TestDaemon.StartAsync(msPerToken: 20);
        using var client = daemon.Connect();
        client.Send(Request("running", 400));
        client.Send(Request("queued", 400));
        await client.ReadOneAsync();
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite, File.GetUnixFileMode(daemon.Config.SocketPath));

        var clock = Stopwatch.StartNew();
        var stop = daemon.StopAsync();
        var all = new List<JsonElement>();
        var running = await client.ReadUntilFinalAsync("running", all);
        Assert.Equal("cancelled", running[^1].Finish());
        Assert.Contains(all, l => l.Str("id") == "queued" && l.Finish() == "cancelled");
        await stop;
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"stop took {clock.Elapsed}");
        Assert.False(File.Exists(daemon.Config.SocketPath));
        Assert.Null(await client.ReadAsync());
        await daemon.DisposeAsync();
    }

    [Fact]
    public async Task Stale_socket_file_is_replaced_but_a_live_daemon_is_not()
    {
        // A crashed daemon leaves its socket file behind. .NET unlinks the files of sockets it closes, so keep a
        // second name (hard link) of a bound socket's file: once the socket is closed, that name is a stale socket.
        string path = TestDaemon.NewSocketPath(), bound = path + ".orig";
        using (var crashed = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            crashed.Bind(new UnixDomainSocketEndPoint(bound));
            using var ln = Process.Start("ln", [bound, path]);
            ln.WaitForExit();
        }
        File.Delete(bound);
        Assert.True(File.Exists(path));

        var config = TestDaemon.BaseConfig(path);
        using var host = DaemonHost.Build(config, s => s.AddSingleton<EngineLoader>(() => SlowEngine.Create(TimeSpan.Zero)));
        await host.StartAsync();
        using (var client = new TestClient(path))
        {
            client.Send(Request("a", 3, stream: false));
            Assert.Equal("length", (await client.ReadOneAsync()).Finish());
        }

        var e = Assert.Throws<SocketSetupException>(() => UnixSocketBinder.EnsureAvailable(path, null));
        Assert.Contains("already listening", e.Message);
        await host.StopAsync();
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task Regular_file_at_the_socket_path_is_not_deleted()
    {
        string path = TestDaemon.NewSocketPath();
        File.WriteAllText(path, "precious");
        try
        {
            var e = Assert.Throws<SocketSetupException>(() => UnixSocketBinder.EnsureAvailable(path, null));
            Assert.Contains("is a regular file, not a socket", e.Message);
            Assert.Equal("precious", File.ReadAllText(path));
        }
        finally
        {
            File.Delete(path);
        }
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Stop_while_the_model_cannot_notice_it_still_sends_the_final_before_exit()
    {
        // A stubborn engine sleeps 3 s per token through its cancellation: a forward pass on a slow board that outlasts the drain.
        var daemon = await TestDaemon.StartAsync(msPerToken: 3000, stubborn: true);
        using var client = daemon.Connect();
        client.Send(Request("slow", 50));
        Assert.Equal("slow", (await client.ReadOneAsync()).Str("id"));
        var stop = daemon.StopAsync();
        var final = (await client.ReadUntilFinalAsync("slow"))[^1];
        Assert.Equal("cancelled", final.Finish());
        await stop;
        await daemon.DisposeAsync();
    }

    [Fact]
    public async Task Half_closed_client_still_gets_its_answer()
    {
        await using var daemon = await TestDaemon.StartAsync(msPerToken: 2);
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Connect(new UnixDomainSocketEndPoint(daemon.Config.SocketPath));
        using var reader = new StreamReader(new NetworkStream(socket));
        socket.Send(Encoding.UTF8.GetBytes(Request("h", 10, stream: false) + "\n"));
        socket.Shutdown(SocketShutdown.Send);
        string? line = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Contains("\"finish_reason\":\"length\"", line);
    }
}

[CollectionDefinition("daemon", DisableParallelization = true)]
public sealed class DaemonCollection;
