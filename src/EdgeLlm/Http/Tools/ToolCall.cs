namespace EdgeLlm.Http.Tools;

/// <summary>A call of one of the offered functions: <paramref name="ArgumentsJson"/> is a JSON object, <paramref name="Id"/> the OpenAI call id.</summary>
public sealed record ToolCall(string Id, string Name, string ArgumentsJson)
{
    /// <summary>An id in OpenAI's shape (<c>call_</c> + 24 letters and digits).</summary>
    public static string NewId() => "call_" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12));
}
