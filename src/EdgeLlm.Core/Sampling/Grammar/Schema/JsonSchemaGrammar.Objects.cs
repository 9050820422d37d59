using System.Text.Json;

namespace EdgeLlm.Core.Sampling.Grammar.Schema;

/// <summary>Objects: declared properties in order with required and optional ones, free-form maps, any object.</summary>
public sealed partial class JsonSchemaGrammar
{
    private string ObjectRule(JsonElement schema, string path, string hint)
    {
        bool hasProperties = schema.TryGetProperty("properties", out var properties);
        bool hasAdditional = schema.TryGetProperty("additionalProperties", out var additional);
        if (hasProperties && properties.ValueKind != JsonValueKind.Object) throw Refuse($"{path}/properties", "must be an object");
        var required = new HashSet<string>(StringComparer.Ordinal);
        if (schema.TryGetProperty("required", out var requiredList))
        {
            if (requiredList.ValueKind != JsonValueKind.Array) throw Refuse($"{path}/required", "must be an array of property names");
            foreach (var r in requiredList.EnumerateArray())
            {
                string name = r.ValueKind == JsonValueKind.String ? r.GetString()! : throw Refuse($"{path}/required", "must be an array of property names");
                if (!hasProperties || !properties.TryGetProperty(name, out _))
                    throw Refuse($"{path}/required", $"names '{name}', which has no schema in properties");
                required.Add(name);
            }
        }
        Primitive("space");
        if (!hasProperties)
        {
            if (!hasAdditional || additional.ValueKind == JsonValueKind.True) return Primitive("object");
            if (additional.ValueKind == JsonValueKind.False) return Rule(hint, "\"{\" space \"}\" space");
            string value = Visit(additional, $"{path}/additionalProperties", $"{hint}-value");
            string kv = Rule($"{hint}-kv", $"{Primitive("string")} \":\" space {value}");
            return Rule(hint, $"\"{{\" space ({kv} (\",\" space {kv})*)? \"}}\" space");
        }
        if (hasAdditional && additional.ValueKind != JsonValueKind.False)
            throw Refuse($"{path}/additionalProperties", "only false is supported next to properties (extra keys could repeat declared ones)");

        // Declared order; rest(i, comma) matches properties i.. given whether one was already written.
        var props = properties.EnumerateObject().ToList();
        var kvs = props.Select(p => Rule($"{hint}-{p.Name}-kv",
            $"{GbnfLiteral.OfPropertyName(p.Name)} space \":\" space {Visit(p.Value, $"{path}/properties/{p.Name}", $"{hint}-{p.Name}")}")).ToList();
        var rest = new string?[props.Count + 1, 2];
        string Rest(int i, int comma)
        {
            if (i == props.Count) return "";
            if (rest[i, comma] is { } known) return known;
            string self = (comma == 1 ? "\",\" space " : "") + kvs[i] + " " + Rest(i + 1, 1);
            string body = required.Contains(props[i].Name) ? self : $"{self} | {Rest(i + 1, comma)}";
            if (body.EndsWith("| ", StringComparison.Ordinal)) body = body.TrimEnd() + " \"\"";
            return rest[i, comma] = Rule($"{hint}-rest{i}{(comma == 1 ? "c" : "")}", body);
        }
        return Rule(hint, $"\"{{\" space {Rest(0, 0)} \"}}\" space");
    }
}
