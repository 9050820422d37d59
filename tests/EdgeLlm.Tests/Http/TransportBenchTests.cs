using EdgeLlm.Bench;

namespace EdgeLlm.Tests.Http;

/// <summary><c>edgellm bench --transports</c> runs the same greedy request over both transports of one in-process daemon.</summary>
public sealed class TransportBenchTests
{
    [Fact]
    public async Task Both_transports_stream_the_same_answer_and_are_measured_alike()
    {
        var report = await TransportBench.RunAsync(Fixtures.Model("stories260K.gguf"), threads: 1, tokens: 40, rounds: 2, "Once upon a time", weightCache: null, progress: null);
        Assert.Equal(2, report.Socket.Count);
        Assert.Equal(2, report.Http.Count);
        // Greedy and the same prompt: both transports carry the same tokens.
        Assert.All(report.Socket.Concat(report.Http), r => Assert.Equal(report.Socket[0].Tokens, r.Tokens));
        Assert.All(report.Socket.Concat(report.Http), r => Assert.True(r.PiecesPerSecond > 0 && r.FirstPieceMs >= 0, r.ToString()));
        Assert.True(report.MedianRateRatio > 0);
    }
}
