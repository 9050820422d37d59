using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace EdgeLlm.Protocol;

/// <summary>Source-generated serialisation of the wire replies (no reflection under NativeAOT).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TokenReply))]
[JsonSerializable(typeof(DoneReply))]
[JsonSerializable(typeof(ErrorReply))]
[JsonSerializable(typeof(StatusReply))]
[JsonSerializable(typeof(ClientRequest))]
internal sealed partial class ProtocolJsonContext : JsonSerializerContext;

/// <summary>Turns replies into one UTF-8 JSON line each (terminated by <c>\n</c>).</summary>
public static class ProtocolJson
{
    // Relaxed escaping keeps non-ASCII answer text readable; control characters, quotes and
    // backslashes are still escaped, so a line never contains a raw newline.
    private static readonly ProtocolJsonContext Context = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    public static byte[] Line(TokenReply reply) => WithNewline(JsonSerializer.SerializeToUtf8Bytes(reply, Context.TokenReply));
    public static byte[] Line(DoneReply reply) => WithNewline(JsonSerializer.SerializeToUtf8Bytes(reply, Context.DoneReply));
    public static byte[] Line(ErrorReply reply) => WithNewline(JsonSerializer.SerializeToUtf8Bytes(reply, Context.ErrorReply));
    public static byte[] Line(StatusReply reply) => WithNewline(JsonSerializer.SerializeToUtf8Bytes(reply, Context.StatusReply));
    public static byte[] Line(ClientRequest request) => WithNewline(JsonSerializer.SerializeToUtf8Bytes(request, Context.ClientRequest));

    public static byte[] Error(string? id, string code, string message) => Line(new ErrorReply(id, new ErrorBody(code, message)));

    private static byte[] WithNewline(byte[] json)
    {
        var line = new byte[json.Length + 1];
        json.CopyTo(line, 0);
        line[^1] = (byte)'\n';
        return line;
    }
}
