using System.Text.Json;

namespace EdgeLlm.Protocol;

/// <summary>
/// The <c>"id"</c> of a line that cannot be parsed as a whole (broken JSON, a bad field after the id), read
/// token by token up to the first error, so that the error reply still reaches the request it belongs to.
/// </summary>
public static class IdRecovery
{
    /// <summary>The top-level string <c>id</c> if it appears before anything breaks; else null.</summary>
    public static string? TryRead(ReadOnlySpan<byte> line)
    {
        var reader = new Utf8JsonReader(line, new JsonReaderOptions { MaxDepth = 8 });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals("id"u8))
                    return reader.Read() && reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // The line breaks before (or inside) the id.
        }
        return null;
    }
}
