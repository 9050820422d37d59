using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace EdgeLlm.Core.Sampling.Grammar.Schema;

/// <summary>GBNF string literals for JSON text: an enum or const value, or a property name, written compactly.</summary>
public static class GbnfLiteral
{
    /// <summary>A GBNF literal matching the compact JSON text of <paramref name="value"/>.</summary>
    public static string Of(JsonElement value)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            value.WriteTo(writer);
        return Quote(Encoding.UTF8.GetString(buffer.ToArray()));
    }

    public static string OfPropertyName(string propertyName)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            writer.WriteStringValue(propertyName);
        return Quote(Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private static string Quote(string text)
    {
        var sb = new StringBuilder("\"");
        foreach (char c in text)
        {
            if (c is '"' or '\\') sb.Append('\\').Append(c);
            else if (c < 0x20 || c == 0x7F) sb.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:X2}");
            else sb.Append(c);
        }
        return sb.Append('"').ToString();
    }
}
