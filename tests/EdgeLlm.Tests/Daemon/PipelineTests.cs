using EdgeLlm.Pipeline;
using EdgeLlm.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeLlm.Tests.Daemon;

public class PipelineTests
{
    private static (RequestPipeline Pipeline, RecordingSink Sink) Start(SlowEngine engine, PipelineOptions? options = null)
    {
        var pipeline = new RequestPipeline(options ?? new PipelineOptions(), [], NullLogger<RequestPipeline>.Instance);
        pipeline.Start(engine);
        return (pipeline, new RecordingSink());
    }

    private static GenerationRequest Story(RequestPipeline p, IResponseSink sink, string id, int maxTokens = 40, bool stream = true) =>
        p.Mapper.Map(new WireRequest { Id = id, Prompt = "Once upon a time", Template = "raw", Temperature = 0, MaxTokens = maxTokens, Stream = stream }, sink);

    [Fact]
    public async Task Streams_tokens_then_done_in_order()
    {
        using var engine = SlowEngine.Create(TimeSpan.Zero);
        var (p, sink) = Start(engine);
        Assert.True(p.Submit(Story(p, sink, "a", 12)));
        string done = await sink.WaitAsync("a");
        Assert.StartsWith("done:length:, there was a little girl", done);
        var events = sink.Events.ToArray();
        Assert.Equal("a:done:length", events[^1]);
        Assert.All(events[..^1], e => Assert.StartsWith("a:token:", e));
        Assert.Equal(done["done:length:".Length..], string.Concat(events[..^1].Select(e => e["a:token:".Length..])));
        await Stop(p);
    }

    [Fact]
    public async Task Full_queue_refuses_with_busy_and_cancel_of_a_queued_request_answers_at_once()
    {
        using var engine = SlowEngine.Create(TimeSpan.FromMilliseconds(50));
        var (p, sink) = Start(engine, new PipelineOptions { QueueLength = 1 });
        Assert.True(p.Submit(Story(p, sink, "running", 200)));
        await WaitUntil(() => p.Status().Generating);
        var queued = Story(p, sink, "queued");
        Assert.True(p.Submit(queued));
        Assert.False(p.Submit(Story(p, sink, "third")));
        Assert.StartsWith("error:busy:the queue is full", await sink.WaitAsync("third"));

        queued.Cancel(CancelReason.Client);
        Assert.Equal("done:cancelled:", await sink.WaitAsync("queued"));
        Assert.False(sink.Terminal("running").Task.IsCompleted);

        p.BeginShutdown();
        Assert.StartsWith("done:cancelled:", await sink.WaitAsync("running"));
        await p.WorkerStopped.WaitAsync(TimeSpan.FromSeconds(2));
        Assert.False(p.Submit(Story(p, sink, "late")));
        Assert.StartsWith("error:busy:the daemon is shutting down", await sink.WaitAsync("late"));
    }

    [Fact]
    public async Task Timeout_ends_a_running_request_with_timeout()
    {
        using var engine = SlowEngine.Create(TimeSpan.FromMilliseconds(50));
        var (p, sink) = Start(engine, new PipelineOptions { RequestTimeout = TimeSpan.FromMilliseconds(1500) });
        Assert.True(p.Submit(Story(p, sink, "running", 200)));
        Assert.StartsWith("done:timeout:, there was", await sink.WaitAsync("running"));
        Assert.Equal(1, p.Status().RequestsServed);
        await Stop(p);
    }

    [Fact]
    public async Task Timeout_of_a_queued_request_is_a_timeout_error()
    {
        // The running request notices its own timeout only after a 1 s token: the queued one times out first, unstarted.
        using var engine = SlowEngine.Create(TimeSpan.FromMilliseconds(1000), stubborn: true);
        var (p, sink) = Start(engine, new PipelineOptions { RequestTimeout = TimeSpan.FromMilliseconds(300) });
        Assert.True(p.Submit(Story(p, sink, "running", 200)));
        await WaitUntil(() => p.Status().Generating);
        Assert.True(p.Submit(Story(p, sink, "queued", 200)));
        Assert.StartsWith("error:timeout:the request waited longer than the 0.3 s timeout", await sink.WaitAsync("queued"));
        Assert.False(sink.Terminal("running").Task.IsCompleted);
        Assert.StartsWith("done:timeout:", await sink.WaitAsync("running"));
        await Stop(p);
    }

    [Fact]
    public async Task Mapper_applies_limits_and_names_fields()
    {
        using var engine = SlowEngine.Create(TimeSpan.Zero);
        var (p, sink) = Start(engine, new PipelineOptions { MaxAnswerTokens = 300, MaxPromptTokens = 20 });
        RequestException Bad(WireRequest w) => Assert.Throws<RequestException>(() => p.Mapper.Map(w, sink));

        Assert.Contains("max_tokens must be from 0 to 300", Bad(new WireRequest { Prompt = "x", Template = "raw", MaxTokens = 301 }).Message);
        Assert.Equal("top_p must be a number above 0 and at most 1, got 1.5", Bad(new WireRequest { Prompt = "x", Template = "raw", TopP = 1.5f }).Message);
        Assert.Contains("Unknown chat template 'nope'", Bad(new WireRequest { Prompt = "x", Template = "nope" }).Message);
        Assert.Contains("prompt is required", Bad(new WireRequest()).Message);
        var tooLong = Bad(new WireRequest { Prompt = string.Join(' ', Enumerable.Repeat("Once upon a time", 20)), Template = "raw" });
        Assert.Equal(ErrorCodes.TooLong, tooLong.Code);
        Assert.Contains("max_prompt_tokens allows 20", tooLong.Message);
        await Stop(p);
    }

    [Fact]
    public async Task Wire_sampling_fields_follow_the_same_rule_as_the_config_and_the_command_line()
    {
        using var engine = SlowEngine.Create(TimeSpan.Zero);
        var (p, sink) = Start(engine, new PipelineOptions());
        string Problem(WireRequest w) => Assert.Throws<RequestException>(() => p.Mapper.Map(w with { Prompt = "x", Template = "raw" }, sink)).Message;

        Assert.Equal("temperature must be a number from 0 to 100, got -1", Problem(new WireRequest { Temperature = -1 }));
        Assert.Equal("temperature must be a number from 0 to 100, got 1000000000", Problem(new WireRequest { Temperature = 1e9f }));
        Assert.Equal("repeat_penalty must be a number above 0 and at most 100, got 0", Problem(new WireRequest { RepeatPenalty = 0 }));
        Assert.Equal("top_k must be an integer from 0 to 1048576, got -2", Problem(new WireRequest { TopK = -2 }));

        // The config file and the command line say the same about the same value.
        var config = Assert.Throws<EdgeLlm.Config.ConfigException>(() => EdgeLlm.Config.ConfigLoader.Load(null,
            new Dictionary<string, string> { ["model"] = Fixtures.Model("stories260K.gguf"), ["temperature"] = "-1" },
            new Dictionary<string, string> { ["EDGELLM_CONFIG"] = "" }));
        Assert.Equal("temperature: must be a number from 0 to 100, got '-1' (from --temperature)", Assert.Single(config.Problems));
        await Stop(p);
    }

    private static (RequestPipeline Pipeline, RecordingSink Sink, Mqtt.TestLog Log) StartLogged(SlowEngine engine)
    {
        var log = new Mqtt.TestLog();
        using var factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new TestLogProvider(log)));
        var pipeline = new RequestPipeline(new PipelineOptions(), [], factory.CreateLogger<RequestPipeline>());
        pipeline.Start(engine);
        return (pipeline, new RecordingSink(), log);
    }

    [Fact]
    public async Task A_request_whose_client_left_is_not_reported_in_the_log_afterwards()
    {
        using var engine = SlowEngine.Create(TimeSpan.FromMilliseconds(50));
        var (p, sink, log) = StartLogged(engine);
        var request = Story(p, sink, "gone", 200);
        Assert.True(p.Submit(request));
        await WaitUntil(() => p.Status().Generating);
        request.Cancel(CancelReason.ClientGone); // what the socket transport does when the connection goes away
        Assert.StartsWith("done:cancelled:", await sink.WaitAsync("gone"));
        await WaitUntil(() => !p.Status().Generating);

        Assert.True(p.Submit(Story(p, sink, "stays", 3)));
        await sink.WaitAsync("stays");
        await Stop(p);
        Assert.DoesNotContain(log.Lines, l => l.Contains("request gone", StringComparison.Ordinal));
        Assert.Contains(log.Lines, l => l.Contains("request stays: length", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_shutdown_does_not_report_a_request_whose_client_left_before_it()
    {
        // The model sleeps through its cancellation: the shutdown's grace answers the request, and the worker finishes later.
        using var engine = SlowEngine.Create(TimeSpan.FromMilliseconds(1500), stubborn: true);
        var (p, sink, log) = StartLogged(engine);
        var request = Story(p, sink, "gone", 50);
        Assert.True(p.Submit(request));
        await WaitUntil(() => p.Status().Generating);
        request.Cancel(CancelReason.ClientGone);
        p.BeginShutdown();
        Assert.StartsWith("done:cancelled:", await sink.WaitAsync("gone"));
        await p.WorkerStopped.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Contains(log.Lines, l => l.Contains("draining", StringComparison.Ordinal));
        Assert.DoesNotContain(log.Lines, l => l.Contains("request gone", StringComparison.Ordinal));
    }

    /// <summary>The engine must outlive the worker: drain, then wait for the thread before disposing.</summary>
    private static async Task Stop(RequestPipeline p)
    {
        p.BeginShutdown();
        await p.WorkerStopped.WaitAsync(TimeSpan.FromSeconds(5));
    }

    internal static async Task WaitUntil(Func<bool> condition, int timeoutMs = 10_000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not met in time");
            await Task.Delay(10);
        }
    }
}
