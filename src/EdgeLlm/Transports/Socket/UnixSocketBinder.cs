using System.Net.Sockets;
using EdgeLlm.Config;
using EdgeLlm.Native;
using Microsoft.Extensions.Logging;

namespace EdgeLlm.Transports.Socket;

/// <summary>The listening socket could not be set up; the message says why and what to do.</summary>
public sealed class SocketSetupException(string message) : Exception(message);

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

    /// <summary>Fails if a daemon answers on <paramref name="path"/>; removes a stale socket file nobody listens on.</summary>
    public static void EnsureAvailable(string path, ILogger? log)
    {
        if (!File.Exists(path)) return;
        if (IsRegularFile(path))
            throw new SocketSetupException($"socket_path {path} exists and is not a socket; remove it or choose another path");
        using (var probe = new System.Net.Sockets.Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            try
            {
                probe.Connect(new UnixDomainSocketEndPoint(path));
                throw new SocketSetupException($"another daemon is already listening on {path}; stop it first (systemctl stop edgellm) or choose another socket_path");
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.AddressNotAvailable)
            {
                // Nobody listens: a stale file from a crash.
            }
        }
        log?.LogWarning("removing stale socket file {Path} (left by a previous run)", path);
        File.Delete(path);
    }

    /// <summary>Binds and listens on <paramref name="config"/>.SocketPath with its mode and group.</summary>
    public static System.Net.Sockets.Socket Bind(EdgeLlmConfig config, ILogger log)
    {
        string path = config.SocketPath;
        EnsureAvailable(path, log);
        string? dir = Path.GetDirectoryName(path);
        try
        {
            if (dir is not null) Directory.CreateDirectory(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SocketSetupException($"socket_path: cannot create the directory {dir}: {e.Message}");
        }

        var socket = new System.Net.Sockets.Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(path));
            // Nobody can connect before listen(), so the mode and group are in place before the first client.
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, config.SocketMode);
            if (config.SocketGroup is { } group) SetGroup(path, group);
            socket.Listen(64);
            return socket;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new SocketSetupException($"socket_path: cannot listen on {path}: {e.Message}");
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
        (int.TryParse(group, out int number) ? number : Libc.GroupId(group)) ?? throw new SocketSetupException($"socket_group: there is no group '{group}'");

    private static void SetGroup(string path, string group)
    {
        int gid = ResolveGroup(group);
        int errno = Libc.ChangeGroup(path, gid);
        if (errno != 0)
            throw new SocketSetupException($"socket_group: cannot give {path} to group '{group}': {Libc.ErrorName(errno)}; the daemon's user must be a member of that group");
    }

    private static bool IsRegularFile(string path)
    {
        // open(2) of a socket file fails (ENXIO) while a regular file opens: tells them apart without stat().
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
