using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;

namespace EdgeLlm.Http;

/// <summary>Reads a JSON request body within <c>http_max_body_bytes</c>; every failure is one line naming the field.</summary>
internal static class HttpBody
{
    public sealed record Failure(int Status, string Message);

    public static async Task<(T? Value, Failure? Failure)> ReadAsync<T>(HttpContext context, JsonTypeInfo<T> type, long maxBytes) where T : class
    {
        var request = context.Request;
        if (request.ContentLength > maxBytes) return (null, TooLarge(maxBytes));
        var buffer = new ArrayBufferWriter<byte>((int)Math.Min(request.ContentLength ?? 4096, maxBytes) + 1);
        try
        {
            while (true)
            {
                var memory = buffer.GetMemory(16 * 1024);
                int read = await request.Body.ReadAsync(memory, context.RequestAborted).ConfigureAwait(false);
                if (read == 0) break;
                buffer.Advance(read);
                if (buffer.WrittenCount > maxBytes) return (null, TooLarge(maxBytes));
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge(maxBytes));
        }
        if (buffer.WrittenCount == 0) return (null, new Failure(400, "the request body is empty; send a JSON object"));
        try
        {
            var value = JsonSerializer.Deserialize(buffer.WrittenSpan, type);
            return value is null ? (null, new Failure(400, "the request body must be a JSON object, not null")) : (value, null);
        }
        catch (JsonException e)
        {
            return (null, new Failure(400, Describe(e)));
        }
    }

    /// <summary>"field options.temperature: …" from the serializer's path, or the parser's first sentence.</summary>
    private static string Describe(JsonException e)
    {
        string path = e.Path is { Length: > 2 } p && p.StartsWith("$.", StringComparison.Ordinal) ? p[2..] : "";
        if (e.Message.StartsWith("The JSON value could not be converted to", StringComparison.Ordinal))
            return path.Length > 0 ? $"field {path} has the wrong type" : "the request body must be a JSON object";
        string first = e.Message.Split(". ", 2)[0].TrimEnd('.');
        return path.Length > 0 ? $"invalid JSON at {path}: {first}" : $"invalid JSON: {first}";
    }

    private static Failure TooLarge(long maxBytes) => new(413, $"the request body is larger than the {maxBytes}-byte limit (http_max_body_bytes)");
}
