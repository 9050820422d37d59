using EdgeLlm.Config;
using EdgeLlm.Core.Gguf;
using EdgeLlm.Transports.Socket;

namespace EdgeLlm.Hosting;

/// <summary>
/// The one-line message of a start-up failure, naming the config key at fault and where its value came from, e.g.
/// <c>model: /opt/README.md: not a GGUF file (bad magic) (from /etc/edgellm/edgellm.json)</c>. Null for exceptions
/// that are not set-up failures (those stay bugs and keep their type in the message).
/// </summary>
internal static class StartupFailure
{
    public static string? Describe(Exception e, EdgeLlmConfig config)
    {
        if (e is AggregateException { InnerExceptions.Count: 1 } aggregate) e = aggregate.InnerExceptions[0];
        return e switch
        {
            GgufException when e.Message.Contains(config.ModelPath, StringComparison.Ordinal) => $"model: {e.Message}{config.SourceNote("model")}",
            GgufException => $"model: {config.ModelPath}: {e.Message}{config.SourceNote("model")}",
            SocketSetupException s => $"{s.Message}{config.SourceNote(s.Key)}",
            InsufficientMemoryException => $"memory_on_overcommit: {e.Message}{config.SourceNote("memory_on_overcommit")}",
            IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException => $"cannot start: {e.Message}",
            _ => null,
        };
    }
}
