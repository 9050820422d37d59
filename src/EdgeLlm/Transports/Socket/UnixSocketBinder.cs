using System.Net.Sockets;
using EdgeLlm.Native;
using Microsoft.Extensions.Logging;

namespace EdgeLlm.Transports.Socket;

/// <summary>The listening socket could not be set up; the message names the config key (<see cref="Key"/>) and says why and what to do.</summary>
public sealed class SocketSetupException(string key, string message) : Exception($"{key}: {message}")
{
    public string Key { get; } = key;
}

/// <summary>
/// Creates the listening Unix socket: replaces a stale socket file left by a crash, refuses to start next to a live
/// daemon, applies the configured mode and group. Under systemd socket activation (edgellm.socket) the inherited
/// socket is used instead and its file belongs to systemd.
/// </summary>
internal static class UnixSocketBinder
{
    private const int SystemdFirstFd = 3;

    /// <summary>The inherited listening socket if systemd passed one (LISTEN_PID = us, LISTEN_FDS ≥ 1).</summary>
    public static System.Net.Sockets.Socket? FromSystemd()
    {
        if (Environment.GetEnvironmentVariable("LISTEN_PID") != Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)) return null;
        if (!int.TryParse(Environment.GetEnvironmentVariable("LISTEN_FDS"), out int count) || count < 1) return null;
        Environment.SetEnvironmentVariable("LISTEN_PID", null);
        Environment.SetEnvironmentVariable("LISTEN_FDS", null);
        return new System.Net.Sockets.Socket(new SafeSocketHandle(SystemdFirstFd, ownsHandle: true));
    }

    /// <summary>
    /// Fails if a daemon answers on <paramref name="path"/> or the path is something else than a socket (a FIFO or a
    /// file is never opened, nor deleted). With <paramref name="log"/>, a stale socket file nobody listens on is removed
    /// and the replacement logged; without, it is left for the binding to replace.
    /// </summary>
    public static void EnsureAvailable(string path, ILogger? log)
    {
        var kind = FileStatus.Of(path, followLink: false).Kind;
        if (kind is FileKind.Missing) return;
        if (kind is not (FileKind.Socket or FileKind.SymbolicLink))
            throw new SocketSetupException("socket_path", $"{path} exists and is {FileStatus.Describe(kind)}, not a socket; remove it or choose another path");
        using (var probe = new System.Net.Sockets.Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            try
            {
                probe.Connect(new UnixDomainSocketEndPoint(path));
                throw new SocketSetupException("socket_path", $"another daemon is already listening on {path}; stop it first (systemctl stop edgellm) or choose another socket_path");
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.AddressNotAvailable)
            {
                // Nobody listens: a stale file from a crash.
            }
        }
        if (log is null) return;
        log.LogWarning("replacing stale socket file {Path} (left by a daemon that did not stop cleanly)", path);
        File.Delete(path);
    }

    /// <summary>The socket's directory must exist: the daemon creates no directories it does not own.</summary>
    public static void EnsureDirectory(string path)
    {
        string? dir = Path.GetDirectoryName(path);
        if (dir is not null && FileStatus.Of(dir).Kind is var kind && kind != FileKind.Directory)
            throw new SocketSetupException("socket_path", kind == FileKind.Missing
                ? $"the directory {dir} does not exist; create it (the unit's RuntimeDirectory= does for /run/edgellm) or choose another path"
                : $"{dir} is {FileStatus.Describe(kind)}, not a directory");
    }

    /// <summary>
    /// Binds and listens on <paramref name="settings"/>.Path with its mode and group. The directory must exist:
    /// the daemon creates no directories it does not own (systemd's RuntimeDirectory makes /run/edgellm).
    /// </summary>
    public static BoundSocket Bind(SocketSettings settings, ILogger log)
    {
        string path = settings.Path;
        string? dir = Path.GetDirectoryName(path);
        EnsureDirectory(path);
        EnsureAvailable(path, log);

        System.Net.Sockets.Socket socket;
        try
        {
            socket = UnixListener.Bind(path);
        }
        catch (SocketException e)
        {
            throw new SocketSetupException("socket_path", $"cannot bind {path}: {e.Message}" +
                (e.SocketErrorCode == SocketError.AccessDenied ? $" (the daemon's user cannot write to {dir})" : ""));
        }
        try
        {
            // Nobody can connect before listen(), so the mode and group are in place before the first client.
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, settings.Mode);
            if (settings.Group is { } group) SetGroup(path, group);
            socket.Listen(64);
            return new BoundSocket(socket, path, FileStatus.Of(path, followLink: false));
        }
        catch (SocketException e)
        {
            socket.Dispose();
            TryDelete(path);
            throw new SocketSetupException("socket_path", $"cannot listen on {path}: {e.Message}");
        }
        catch
        {
            socket.Dispose();
            TryDelete(path);
            throw;
        }
    }

    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>The gid of <paramref name="group"/> (a name or a number).</summary>
    public static int ResolveGroup(string group) =>
        (int.TryParse(group, out int number) ? number : Libc.GroupId(group)) ?? throw new SocketSetupException("socket_group", $"there is no group '{group}'");

    private static void SetGroup(string path, string group)
    {
        int gid = ResolveGroup(group);
        int errno = Libc.ChangeGroup(path, gid);
        if (errno != 0)
            throw new SocketSetupException("socket_group", $"cannot give {path} to group '{group}': {Libc.ErrorName(errno)}; the daemon's user must be a member of that group");
    }

}
