using System.Text.Json.Serialization;

namespace EdgeLlm.Models;

/// <summary>Source-generated JSON for pulling (no reflection under NativeAOT).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(OllamaManifest))]
[JsonSerializable(typeof(PartialRecord))]
internal sealed partial class PullJsonContext : JsonSerializerContext;
