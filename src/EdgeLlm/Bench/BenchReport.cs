using System.Text.Json.Serialization;

namespace EdgeLlm.Bench;

/// <summary>Figures of one <c>edgellm bench</c> run; tok/s are medians over the repetitions.</summary>
public sealed record BenchReport
{
    [JsonPropertyName("model")] public required string Model { get; init; }
    [JsonPropertyName("model_bytes")] public required long ModelBytes { get; init; }
    [JsonPropertyName("bytes_per_token")] public required long BytesPerToken { get; init; }
    [JsonPropertyName("threads")] public required int Threads { get; init; }
    [JsonPropertyName("isa")] public required string Isa { get; init; }
    /// <summary>Matrices read from the interleaved weight cache (0 = all row-major).</summary>
    [JsonPropertyName("interleaved_matrices")] public int InterleavedMatrices { get; init; }
    [JsonPropertyName("pp")] public required int PromptTokens { get; init; }
    [JsonPropertyName("tg")] public required int GeneratedTokens { get; init; }
    [JsonPropertyName("reps")] public required int Repetitions { get; init; }
    [JsonPropertyName("pp_tps")] public required double PromptTps { get; init; }
    [JsonPropertyName("pp_tps_min")] public required double PromptTpsMin { get; init; }
    [JsonPropertyName("pp_tps_max")] public required double PromptTpsMax { get; init; }
    [JsonPropertyName("tg_tps")] public required double GenerationTps { get; init; }
    [JsonPropertyName("tg_tps_min")] public required double GenerationTpsMin { get; init; }
    [JsonPropertyName("tg_tps_max")] public required double GenerationTpsMax { get; init; }
    [JsonPropertyName("read_gbps")] public required double ReadGBps { get; init; }
    /// <summary>Fraction of the read ceiling generation reaches, at most 1 (<see cref="Bench.GenerationEfficiency"/>).</summary>
    [JsonPropertyName("tg_efficiency")] public required double GenerationEfficiency { get; init; }
    /// <summary>Why <see cref="GenerationEfficiency"/> was capped at 1 (the measured ratio and its likely cause); null when it was not.</summary>
    [JsonPropertyName("tg_efficiency_note")] public string? GenerationEfficiencyNote { get; init; }
    /// <summary>Threads and vector width of the bandwidth probe, and whether it got huge pages.</summary>
    [JsonPropertyName("read_probe")] public string? ReadProbe { get; init; }
    /// <summary>Process CPU time per prompt token (all threads, spinning included): a contention-robust cost figure.</summary>
    [JsonPropertyName("pp_cpu_ms_per_token")] public double PromptCpuMsPerToken { get; init; }
    [JsonPropertyName("tg_cpu_ms_per_token")] public double GenerationCpuMsPerToken { get; init; }
    /// <summary>RssAnon after the runs: KV cache, scratch and runtime, excluding the mapped model's page cache.</summary>
    [JsonPropertyName("rss_anon_bytes")] public long ResidentAnonBytes { get; init; }
    [JsonPropertyName("temperature_before_c")] public double? TemperatureBefore { get; init; }
    [JsonPropertyName("temperature_after_c")] public double? TemperatureAfter { get; init; }
}
