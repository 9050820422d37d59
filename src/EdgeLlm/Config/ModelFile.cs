using EdgeLlm.Core.Gguf;
using EdgeLlm.Native;

namespace EdgeLlm.Config;

/// <summary>
/// Checks a model path before anything opens it: a directory, a FIFO (whose open would block start-up forever) or a
/// device gets a one-line error naming the path, and a file that is not GGUF is named in the parser's message.
/// </summary>
public static class ModelFile
{
    /// <summary>Null when <paramref name="path"/> is a regular file (through symbolic links), else what is wrong with it.</summary>
    public static string? Problem(string path)
    {
        var kind = FileStatus.Of(path).Kind;
        return kind switch
        {
            FileKind.Regular => null,
            FileKind.Missing => File.Exists(path) || Directory.Exists(path) ? null : $"file not found: {path}",
            FileKind.Directory => $"{path} is a directory, not a GGUF file",
            _ => $"{path} is {FileStatus.Describe(kind)}, not a regular GGUF file",
        };
    }

    /// <summary>Maps and validates the model; every failure is a <see cref="GgufException"/> that names the file.</summary>
    public static GgufFile Open(string path)
    {
        if (Problem(path) is { } problem) throw new GgufException(problem);
        try
        {
            return GgufFile.Open(path);
        }
        catch (GgufException e) when (!e.Message.Contains(path, StringComparison.Ordinal))
        {
            throw new GgufException($"{path}: {e.Message}");
        }
    }
}
