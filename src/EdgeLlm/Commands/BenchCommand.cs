using System.Text.Json;
using EdgeLlm.Bench;
using EdgeLlm.Core.Tensors;
using EdgeLlm.Core.Model;

namespace EdgeLlm.Commands;

/// <summary>
/// <c>edgellm bench --model F [--threads N] [--pp 64] [--tg 32] [--reps 3] [--weight-cache DIR|off] [--thermal-sensor PATH] [--json]</c>,
/// or <c>edgellm bench --kernels</c>, or <c>edgellm bench --grammar json (--model F | --vocab F)</c> (<see cref="GrammarBenchCommand"/>).
/// </summary>
internal static class BenchCommand
{
    public static int Run(string[] args)
    {
        var a = new ArgReader(args, new HashSet<string> { "json", "kernels", "transports", "prompt-cache" }, CliAliases.Bench);
        if (a.Flag("kernels"))
        {
            a.RejectUnknown();
            foreach (var (name, gbps) in KernelBench.Run())
                Console.WriteLine($"{name,-36} {gbps,7:F2} GB/s of weights per CPU-second (1 thread, {(name.EndsWith("from memory") ? "256 MiB" : "cache-resident")})");
            return 0;
        }
        if (a.Get("grammar") is not null)
            return GrammarBenchCommand.Run(a);
        if (a.Flag("transports"))
            return TransportsCommand(a);
        if (a.Flag("prompt-cache"))
            return PromptCacheBenchCommand(a);
        string model = a.Require("model");
        int threads = a.GetThreads();
        int pp = a.GetInt("pp", 64, 0, 4096);
        int tg = a.GetInt("tg", 32, 0, 4096);
        int reps = a.GetInt("reps", 3, 1, 100);
        bool json = a.Flag("json");
        string? weightCache = Config.WeightCacheLocation.Resolve(a.Get("weight-cache"));
        string sensorPath = a.Get("thermal-sensor") ?? Guards.SysfsTemperatureSensor.DefaultPath;
        a.RejectUnknown();
        if (Config.ModelFile.Problem(model) is { } problem) throw new CliException(problem);

        // The SoC temperature before and after: a benchmark that heats a Pi past its throttle point measures the firmware.
        var sensor = new Guards.SysfsTemperatureSensor(sensorPath);
        double? before = sensor.ReadCelsius();
        var report = BenchRunner.Run(model, threads, pp, tg, reps, weightCache, json ? null : line => Console.Error.WriteLine($"  {line}"))
            with { TemperatureBefore = before, TemperatureAfter = sensor.ReadCelsius() };
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(report, CliJsonContext.Default.BenchReport));
            return 0;
        }
        Console.WriteLine($"model:          {report.Model} ({report.ModelBytes / 1e9:F2} GB, {report.BytesPerToken / 1e9:F2} GB read per token)");
        Console.WriteLine($"threads / isa:  {report.Threads} / {report.Isa}");
        Console.WriteLine($"interleaved:    {report.InterleavedMatrices} matrices (weight cache {weightCache ?? "off"})");
        Console.WriteLine($"pp{pp}:           {report.PromptTps:F2} tok/s (min {report.PromptTpsMin:F2}, max {report.PromptTpsMax:F2})");
        Console.WriteLine($"tg{tg}:           {report.GenerationTps:F2} tok/s (min {report.GenerationTpsMin:F2}, max {report.GenerationTpsMax:F2})");
        Console.WriteLine($"read bandwidth: {report.ReadGBps:F1} GB/s ({report.ReadProbe})");
        Console.WriteLine($"tg efficiency:  {report.GenerationEfficiency:P1} of read bandwidth{(report.GenerationEfficiencyNote is { } note ? $" ({note})" : "")}");
        Console.WriteLine($"cpu per token:  pp {report.PromptCpuMsPerToken:F2} ms, tg {report.GenerationCpuMsPerToken:F2} ms (all threads)");
        Console.WriteLine($"resident anon:  {report.ResidentAnonBytes / 1048576.0:F1} MiB (beyond the mapped model)");
        Console.WriteLine($"temperature:    {(before is null ? "no sensor" : $"{report.TemperatureBefore:F1} °C before, {report.TemperatureAfter:F1} °C after")}");
        return 0;
    }

    /// <summary><c>edgellm bench --transports --model F [--tg 64] [--reps 5] [--prompt TEXT]</c>: HTTP streaming against the socket.</summary>
    private static int TransportsCommand(ArgReader a)
    {
        string model = a.Require("model");
        int threads = a.GetThreads();
        int tg = a.GetInt("tg", 64, 2, 4096);
        int reps = a.GetInt("reps", 5, 1, 100);
        string prompt = a.Get("prompt") ?? "Once upon a time";
        string? weightCache = Config.WeightCacheLocation.Resolve(a.Get("weight-cache"));
        a.RejectUnknown();
        if (Config.ModelFile.Problem(model) is { } problem) throw new CliException(problem);
        var report = TransportBench.RunAsync(model, threads, tg, reps, prompt, weightCache, line => Console.Error.WriteLine($"  {line}")).GetAwaiter().GetResult();
        double Median(IReadOnlyList<TransportBench.Result> r, Func<TransportBench.Result, double> v) => TransportBench.Report.Median(r, v);
        Console.WriteLine($"socket:      {Median(report.Socket, r => r.PiecesPerSecond),8:F2} pieces/s, first piece {Median(report.Socket, r => r.FirstPieceMs),7:F1} ms (median of {reps})");
        Console.WriteLine($"http:        {Median(report.Http, r => r.PiecesPerSecond),8:F2} pieces/s, first piece {Median(report.Http, r => r.FirstPieceMs),7:F1} ms");
        Console.WriteLine($"http/socket: {report.MedianRateRatio,8:F3} of the socket's rate, first piece {report.MedianFirstPieceDeltaMs:+0.0;-0.0} ms");
        return 0;
    }

    /// <summary><c>bench --prompt-cache --model F [--system-tokens 1500] [--threads N] [--weight-cache DIR|off]</c>: see <see cref="PromptCacheBench"/>.</summary>
    private static int PromptCacheBenchCommand(ArgReader a)
    {
        string model = a.Require("model");
        int threads = a.GetThreads();
        int systemTokens = a.GetInt("system-tokens", 1500, 32, 32768);
        string? weightCache = Config.WeightCacheLocation.Resolve(a.Get("weight-cache"));
        a.RejectUnknown();
        if (Config.ModelFile.Problem(model) is { } problem) throw new CliException(problem);
        string directory = Path.Combine(Path.GetTempPath(), $"edgellm-prompt-bench-{Environment.ProcessId}");
        try
        {
            var steps = PromptCacheBench.Run(model, threads, systemTokens, weightCache, directory, line => Console.Error.WriteLine($"  {line}"));
            Console.WriteLine($"{"request",-20} {"prompt",7} {"cached",7} {"from",-7} {"prompt ms",10} {"TTFT ms",10}");
            foreach (var s in steps)
                Console.WriteLine($"{s.Name,-20} {s.PromptTokens,7} {s.CachedTokens,7} {s.Source,-7} {s.PromptMs,10:F0} {s.TtftMs,10:F0}");
            Console.WriteLine($"second request: {steps[0].TtftMs / steps[1].TtftMs:F1}x sooner to the first token");
            return 0;
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }
}
