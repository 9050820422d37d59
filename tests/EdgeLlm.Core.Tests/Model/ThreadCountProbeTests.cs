using EdgeLlm.Core.Gguf;
using EdgeLlm.Core.Model;

namespace EdgeLlm.Core.Tests.Model;

public class ThreadCountProbeTests
{
    [Theory]
    [InlineData(new[] { 1.0, 0.6, 0.5, 0.4 }, 4)]   // more threads, faster: the core count
    [InlineData(new[] { 1.0, 0.6, 0.5, 0.62 }, 3)]  // one core busy: three threads are clearly faster than four
    [InlineData(new[] { 1.0, 0.5, 0.6, 0.52 }, 4)]  // within the margin of the fastest: the core count, so restarts agree
    [InlineData(new[] { 0.5, 0.9 }, 1)]             // two threads lose to one (the other core is taken)
    [InlineData(new[] { 0.7 }, 1)]
    public void Choose_takes_the_fastest_count_unless_the_core_count_is_within_the_margin(double[] seconds, int expected) =>
        Assert.Equal(expected, ThreadCountProbe.Choose(seconds));

    [Fact]
    public void Pick_times_every_count_and_logs_the_figures()
    {
        using var file = GgufFile.Open(Fixtures.Model("tiny-q4_0.gguf"));
        var (_, weights) = Core.Model.Architectures.ModelArchitectures.Load(file);
        var log = new List<string>();
        int pick = ThreadCountProbe.Pick(weights, 3, log.Add);
        Assert.InRange(pick, 1, 3);
        var line = Assert.Single(log);
        Assert.StartsWith($"threads auto: {pick} (1: ", line);
        Assert.Contains(", 2: ", line);
        Assert.Contains(", 3: ", line);
    }

    [Fact]
    public void A_model_loaded_with_auto_threads_runs_with_the_picked_count()
    {
        using var file = GgufFile.Open(Fixtures.Model("tiny-q4_0.gguf"));
        var log = new List<string>();
        using var model = TransformerModel.Load(file, new ModelOptions { ContextLength = 16, Threads = ModelOptions.AutoThreads, Log = log.Add });
        Assert.InRange(model.Threads, 1, WorkerPool.DefaultThreadCount);
        if (WorkerPool.DefaultThreadCount > 1) Assert.Contains(log, l => l.StartsWith($"threads auto: {model.Threads} (", StringComparison.Ordinal));
        var logits = new float[model.Config.VocabSize];
        model.Forward([1, 2, 3], 0, logits);
        Assert.All(logits, x => Assert.True(float.IsFinite(x)));
    }
}
