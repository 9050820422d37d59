namespace EdgeLlm.Commands;

/// <summary>
/// Answer text to stdout, flushed piece by piece, that tells the caller when nobody reads it any more
/// (<c>edgellm run ... | head -c 20</c>), so that the generation stops instead of running to its end unseen.
/// </summary>
internal sealed class StandardOutput
{
    private const int StdoutFd = 1;
    private readonly TextWriter _out = Console.Out;

    /// <summary>Writes and flushes <paramref name="text"/>; false once stdout is closed (further text is dropped).</summary>
    public bool Write(string text)
    {
        if (IsClosed) return false;
        _out.Write(text);
        _out.Flush();
        IsClosed = !OperatingSystem.IsWindows() && Native.Libc.OutputClosed(StdoutFd);
        return !IsClosed;
    }

    public bool IsClosed { get; private set; }
}
