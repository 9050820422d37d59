using System.Text;

namespace EdgeLlm.Commands;

/// <summary>Reads user-supplied text files strictly: exact bytes, valid UTF-8, with clear errors.</summary>
internal static class InputFiles
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static string ReadUtf8(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CliException($"cannot read '{path}': {e.Message}");
        }
        try
        {
            return Strict.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new CliException($"'{path}' is not valid UTF-8 text");
        }
    }
}
