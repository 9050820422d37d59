using System.Text.Json.Serialization;

namespace EdgeLlm.Models;

/// <summary>Source-generated JSON for the model store and pulling (no reflection under NativeAOT).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(PartialRecord))]
internal sealed partial class PullJsonContext : JsonSerializerContext;
