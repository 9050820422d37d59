using EdgeLlm.Native;

namespace EdgeLlm.Transports.Socket;

/// <summary>
/// A listening socket this process bound, with the identity (device, inode) of the file it created. The file is
/// removed at the end only while it is still that file: if someone removed it and another daemon bound the same
/// path since, deleting by name would leave the other daemon unreachable.
/// </summary>
internal sealed class BoundSocket(System.Net.Sockets.Socket socket, string path, FileStatus created)
{
    public System.Net.Sockets.Socket Socket => socket;

    /// <summary>Closes the socket, then removes its file if it is still the one bound here; false when it was left alone.</summary>
    public bool CloseAndRemove()
    {
        socket.Dispose();
        var now = FileStatus.Of(path, followLink: false);
        if (now.Kind != FileKind.Socket || now.Device != created.Device || now.Inode != created.Inode) return false;
        UnixSocketBinder.TryDelete(path);
        return true;
    }
}
