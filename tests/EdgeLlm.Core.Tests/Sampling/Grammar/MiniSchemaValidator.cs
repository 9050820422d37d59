using System.Text.Json;

namespace EdgeLlm.Core.Tests.Sampling.Grammar;

/// <summary>
/// A deliberately small JSON Schema validator, written apart from the converter, for the keywords the tests use.
/// Returns the first problem found (with its JSON path), or null when the value is valid.
/// </summary>
internal static class MiniSchemaValidator
{
    public static string? Check(JsonElement value, JsonElement schema, JsonElement root, string at = "$")
    {
        if (schema.ValueKind == JsonValueKind.True) return null;
        if (schema.TryGetProperty("$ref", out var reference))
        {
            string[] parts = reference.GetString()!.Split('/');
            return Check(value, root.GetProperty(parts[1]).GetProperty(parts[2]), root, at);
        }
        if (schema.TryGetProperty("const", out var constant) && !JsonElement.DeepEquals(value, constant)) return $"{at}: not the const";
        if (schema.TryGetProperty("enum", out var options) && !options.EnumerateArray().Any(o => JsonElement.DeepEquals(value, o))) return $"{at}: not in the enum";
        foreach (string keyword in new[] { "anyOf", "oneOf" })
        {
            if (!schema.TryGetProperty(keyword, out var alternatives)) continue;
            int fits = alternatives.EnumerateArray().Count(s => Check(value, s, root, at) is null);
            if (keyword == "anyOf" ? fits == 0 : fits != 1) return $"{at}: {fits} alternatives of {keyword} fit";
        }
        if (schema.TryGetProperty("type", out var type))
        {
            var types = type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()!).ToArray() : [type.GetString()!];
            if (!types.Any(t => HasType(value, t))) return $"{at}: is {value.ValueKind}, expected {string.Join("|", types)}";
        }
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                int length = value.GetString()!.EnumerateRunes().Count();
                if (schema.TryGetProperty("minLength", out var minLength) && length < minLength.GetInt32()) return $"{at}: shorter than minLength";
                if (schema.TryGetProperty("maxLength", out var maxLength) && length > maxLength.GetInt32()) return $"{at}: longer than maxLength";
                break;
            case JsonValueKind.Number:
                double d = value.GetDouble();
                if (!double.IsFinite(d)) return $"{at}: not a finite number";
                if (schema.TryGetProperty("minimum", out var minimum) && d < minimum.GetDouble()) return $"{at}: below minimum";
                if (schema.TryGetProperty("maximum", out var maximum) && d > maximum.GetDouble()) return $"{at}: above maximum";
                if (schema.TryGetProperty("exclusiveMinimum", out var exMin) && d <= exMin.GetDouble()) return $"{at}: not above exclusiveMinimum";
                if (schema.TryGetProperty("exclusiveMaximum", out var exMax) && d >= exMax.GetDouble()) return $"{at}: not below exclusiveMaximum";
                break;
            case JsonValueKind.Array:
                int count = value.GetArrayLength();
                if (schema.TryGetProperty("minItems", out var minItems) && count < minItems.GetInt32()) return $"{at}: fewer than minItems";
                if (schema.TryGetProperty("maxItems", out var maxItems) && count > maxItems.GetInt32()) return $"{at}: more than maxItems";
                if (schema.TryGetProperty("items", out var items))
                {
                    int i = 0;
                    foreach (var item in value.EnumerateArray())
                        if (Check(item, items, root, $"{at}[{i++}]") is { } problem) return problem;
                }
                break;
            case JsonValueKind.Object:
                var names = new HashSet<string>(StringComparer.Ordinal);
                foreach (var p in value.EnumerateObject())
                    if (!names.Add(p.Name)) return $"{at}: duplicate key {p.Name}";
                bool hasProperties = schema.TryGetProperty("properties", out var properties);
                if (schema.TryGetProperty("required", out var required))
                    foreach (var r in required.EnumerateArray())
                        if (!names.Contains(r.GetString()!)) return $"{at}: missing required {r.GetString()}";
                foreach (var p in value.EnumerateObject())
                {
                    if (hasProperties && properties.TryGetProperty(p.Name, out var propertySchema))
                    {
                        if (Check(p.Value, propertySchema, root, $"{at}.{p.Name}") is { } problem) return problem;
                    }
                    else if (schema.TryGetProperty("additionalProperties", out var additional))
                    {
                        if (additional.ValueKind == JsonValueKind.False) return $"{at}: unexpected key {p.Name}";
                        if (Check(p.Value, additional, root, $"{at}.{p.Name}") is { } problem) return problem;
                    }
                    else if (hasProperties)
                    {
                        return $"{at}: unexpected key {p.Name} (additionalProperties defaults to false here)";
                    }
                }
                break;
        }
        return null;
    }

    private static bool HasType(JsonElement value, string type) => type switch
    {
        "string" => value.ValueKind == JsonValueKind.String,
        "number" => value.ValueKind == JsonValueKind.Number,
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "null" => value.ValueKind == JsonValueKind.Null,
        "array" => value.ValueKind == JsonValueKind.Array,
        "object" => value.ValueKind == JsonValueKind.Object,
        _ => false,
    };
}
