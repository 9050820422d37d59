using System.Text.Json.Serialization;
using EdgeLlm.Core.Gguf;

namespace EdgeLlm.Commands;

/// <summary>Source-generated JSON for the CLI's --json outputs (no reflection under NativeAOT).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = false)]
[JsonSerializable(typeof(ModelFileSummary))]
[JsonSerializable(typeof(int[]))]
[JsonSerializable(typeof(EvalOutput))]
[JsonSerializable(typeof(EdgeLlm.Bench.BenchReport))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
