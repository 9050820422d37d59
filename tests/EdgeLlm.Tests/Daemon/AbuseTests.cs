using System.Text;
using EdgeLlm.Core.Prompts;

namespace EdgeLlm.Tests.Daemon;

/// <summary>What broke under attack: megabyte prompts that starved generation, idle connections that locked everyone out.</summary>
[Collection("daemon")]
public class AbuseTests
{
    [Fact]
    public async Task A_prompt_far_over_the_context_is_refused_from_its_length_without_tokenizing()
    {
        await using var daemon = await TestDaemon.StartAsync();
        using var client = daemon.Connect();
        string words = new StringBuilder().Insert(0, "word ", 180_000).ToString(); // 900 KB, under max_line_bytes
        client.Send($$"""{"id":"big","prompt":"{{words}}"}""");
        var reply = await client.ReadOneAsync();
        Assert.Equal(("big", "too_long"), (reply.Str("id"), reply.ErrorCode()));
        Assert.StartsWith("the prompt is at least ", reply.GetProperty("error").Str("message"));
        Assert.Equal(0, daemon.Engine.Encodes);

        // A prompt near the limit is still tokenized and judged exactly.
        client.Send("""{"id":"ok","prompt":"Once upon a time","max_tokens":2}""");
        Assert.Equal("length", (await client.ReadUntilFinalAsync("ok"))[^1].Finish());
        Assert.Equal(1, daemon.Engine.Encodes);
    }

    [Fact]
    public async Task A_prompt_under_the_byte_bound_but_over_the_token_limit_is_tokenized_only_up_to_the_limit()
    {
        await using var daemon = await TestDaemon.StartAsync(configure: c => c with { MaxPromptTokens = 100 });
        using var client = daemon.Connect();
        // Just under what the byte bound lets through to the tokenizer, and several times the limit in tokens.
        int under = 2 * daemon.Engine.LongestTokenBytes * 100 - 40;
        var words = new StringBuilder();
        while (words.Length + "Once upon a time ".Length < under) words.Append("Once upon a time ");
        client.Send($$"""{"id":"near","prompt":"{{words}}","template":"raw"}""");
        var reply = await client.ReadOneAsync();
        Assert.Equal(("near", "too_long"), (reply.Str("id"), reply.ErrorCode()));
        Assert.Equal("the prompt is more than 100 tokens long but max_prompt_tokens allows 100", reply.GetProperty("error").Str("message"));
        Assert.Equal(1, daemon.Engine.Encodes);
        int encoded = daemon.Engine.LastEncodedLength;
        // Stopped one word past the limit, not at the end of the prompt.
        int full = daemon.Engine.Encode(daemon.Engine.ResolveTemplate("raw").Render([ChatMessage.User(words.ToString())])).Length;
        Assert.True(full > 300, $"the prompt is only {full} tokens: too short to tell");
        Assert.InRange(encoded, 101, 110);
    }

    [Fact]
    public async Task A_silent_connection_with_nothing_in_flight_is_closed_but_a_waiting_one_is_not()
    {
        await using var daemon = await TestDaemon.StartAsync(msPerToken: 100, configure: c => c with { IdleTimeout = TimeSpan.FromMilliseconds(300) });
        using var idle = daemon.Connect();
        using var waiting = daemon.Connect();
        waiting.Send("""{"id":"w","prompt":"Once upon a time","max_tokens":15,"temperature":0}""");
        Assert.Null(await idle.ReadAsync(10_000));
        // 15 tokens at 100 ms: well past the idle timeout, and the answer still arrives.
        var final = (await waiting.ReadUntilFinalAsync("w"))[^1];
        Assert.Equal("length", final.Finish());
    }

    [Fact]
    public async Task Clients_holding_every_connection_cannot_lock_status_out()
    {
        await using var daemon = await TestDaemon.StartAsync(configure: c => c with { MaxConnections = 2 });
        using var a = daemon.Connect();
        using var b = daemon.Connect();
        // Both hold their slot: the service has counted them once they answered.
        foreach (var c in new[] { a, b })
        {
            c.Send("""{"op":"status"}""");
            await c.ReadOneAsync();
        }

        using var admin = daemon.Connect();
        admin.Send("""{"op":"status","id":"s"}""");
        Assert.Equal("ready", (await admin.ReadOneAsync()).Str("state"));
        admin.Send("""{"id":"r","prompt":"hi"}""");
        var refused = await admin.ReadOneAsync();
        Assert.Equal(("r", "busy"), (refused.Str("id"), refused.ErrorCode()));

        using var fourth = daemon.Connect();
        Assert.Equal("busy", (await fourth.ReadOneAsync()).ErrorCode());
    }
}
