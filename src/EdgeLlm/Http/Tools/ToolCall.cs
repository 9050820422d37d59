namespace EdgeLlm.Http.Tools;

/// <summary>A call of one of the offered functions: <paramref name="ArgumentsJson"/> is a JSON object, <paramref name="Id"/> the OpenAI call id.</summary>
public sealed record ToolCall(string Id, string Name, string ArgumentsJson)
{
    /// <summary>An id in OpenAI's shape (<c>call_</c> + 24 letters and digits).</summary>
    public static string NewId() => "call_" + RandomHex();

    /// <summary>24 random hex digits. Ids need to be unique, not secret: <see cref="Random"/>, because .NET's crypto
    /// random generator loads OpenSSL, which the daemon otherwise never needs (a Pi image may lack libssl).</summary>
    public static string RandomHex()
    {
        Span<byte> bytes = stackalloc byte[12];
        Random.Shared.NextBytes(bytes);
        return Convert.ToHexStringLower(bytes);
    }
}
