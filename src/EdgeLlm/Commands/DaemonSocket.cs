using System.Net.Sockets;
using EdgeLlm.Config;
using EdgeLlm.Native;

namespace EdgeLlm.Commands;

/// <summary>
/// How ask and status reach the daemon: <c>--socket-path</c>, else <c>EDGELLM_SOCKET_PATH</c>, else the default; and
/// when it fails, why in words a user can act on (no socket, not a socket, no permission and which group to join,
/// nobody listening).
/// </summary>
internal static class DaemonSocket
{
    public static string PathFrom(ArgReader a) =>
        a.Get("socket-path") ?? Environment.GetEnvironmentVariable(ConfigLoader.EnvName("socket_path")) ?? EdgeLlmConfig.DefaultSocketPath;

    /// <summary>"join its group 'edgellm' (sudo usermod -aG edgellm $USER, then log in again)", naming the group owning <paramref name="path"/>.</summary>
    private static string JoinAdvice(string? path)
    {
        var owner = path is null ? default : FileStatus.Of(path);
        if (owner.Kind is FileKind.Missing or FileKind.Inaccessible || owner.GroupId < 0)
            return "run as a member of the daemon's group (usually edgellm), or as root";
        string group = Libc.GroupName(owner.GroupId);
        return $"join the group '{group}' (sudo usermod -aG {group} $USER, then log in again)";
    }

    /// <summary>A connected socket, or null with <paramref name="problem"/> set.</summary>
    public static Socket? TryConnect(string path, out string problem)
    {
        var status = FileStatus.Of(path);
        switch (status.Kind)
        {
            case FileKind.Missing:
                problem = $"there is no socket at {path}: is edgellm running? (systemctl status edgellm; the daemon's socket_path, or --socket-path)";
                return null;
            case FileKind.Inaccessible:
                problem = $"permission denied on {path}: {JoinAdvice(Path.GetDirectoryName(path))}";
                return null;
            case not FileKind.Socket:
                problem = $"{path} is {FileStatus.Describe(status.Kind)}, not the daemon's socket";
                return null;
        }
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(path));
            problem = "";
            return socket;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            problem = e.SocketErrorCode switch
            {
                SocketError.AccessDenied => $"permission denied on {path}: {JoinAdvice(path)}",
                SocketError.ConnectionRefused => $"nothing listens on {path} (a socket file left by a daemon that stopped): is edgellm running? (systemctl status edgellm)",
                _ => $"cannot connect to {path}: {e.Message}",
            };
            return null;
        }
    }
}
