using System.Text.Json;

namespace EdgeLlm.Protocol;

/// <summary>
/// What users read of an exception: .NET's decorations (" (Parameter 'name')", "LineNumber: 0 | BytePositionInLine: 3.",
/// "when isFinalBlock is true") are for developers, so they are cut and JSON errors say where in plain words.
/// </summary>
public static class ErrorText
{
    /// <summary>The message of an <see cref="ArgumentException"/> without its " (Parameter 'x')" suffix.</summary>
    public static string Plain(Exception e)
    {
        string message = e.Message;
        int at = message.IndexOf(" (Parameter '", StringComparison.Ordinal);
        return at > 0 ? message[..at] : message;
    }

    /// <summary>"the JSON ends before it is complete (at byte 6)"; with <paramref name="lines"/> "(line 3, byte 7)" (1-based).</summary>
    public static string Json(JsonException e, bool lines = false)
    {
        string message = e.Message;
        string reason;
        if (message.Contains("isFinalBlock", StringComparison.Ordinal) || message.Contains("end of the JSON payload", StringComparison.Ordinal)
            || message.Contains("open JSON object or array", StringComparison.Ordinal))
        {
            reason = "the JSON ends before it is complete (an object, array or string is not closed)";
        }
        else
        {
            int cut = message.Length;
            foreach (string marker in new[] { " Path:", " LineNumber:", ". " })
            {
                int i = message.IndexOf(marker, StringComparison.Ordinal);
                if (i > 0) cut = Math.Min(cut, i);
            }
            reason = message[..cut].TrimEnd(' ', '.', '|');
        }
        long bytePosition = (e.BytePositionInLine ?? 0) + 1;
        return lines
            ? $"{reason} (line {(e.LineNumber ?? 0) + 1}, byte {bytePosition})"
            : $"{reason} (at byte {bytePosition})";
    }
}
