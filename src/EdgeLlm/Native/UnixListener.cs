using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace EdgeLlm.Native;

/// <summary>
/// socket(2) + bind(2) for a Unix stream socket, wrapped in a .NET <see cref="Socket"/> afterwards. Not
/// <see cref="Socket.Bind"/>: a socket bound through it deletes its path by name when disposed, which removes the
/// socket of another daemon that took the path over since (<see cref="Transports.Socket.BoundSocket"/> removes it
/// only after checking the inode).
/// </summary>
internal static partial class UnixListener
{
    private const int AfUnix = 1, SockStream = 1, SockCloexec = 0x80000;
    private const int SunPathBytes = 108;

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial int SocketNative(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "bind", SetLastError = true)]
    private static unsafe partial int BindNative(int fd, byte* address, uint length);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int CloseNative(int fd);

    /// <summary>A stream socket bound to <paramref name="path"/> (not yet listening).</summary>
    /// <exception cref="SocketException">socket(2) or bind(2) failed; the message is the system's.</exception>
    public static unsafe Socket Bind(string path)
    {
        byte[] name = System.Text.Encoding.UTF8.GetBytes(path);
        if (name.Length >= SunPathBytes) throw new SocketException((int)SocketError.InvalidArgument);
        int fd = SocketNative(AfUnix, SockStream | SockCloexec, 0);
        if (fd < 0) throw Error();
        byte* address = stackalloc byte[2 + SunPathBytes];
        new Span<byte>(address, 2 + SunPathBytes).Clear();
        *(ushort*)address = AfUnix;
        name.CopyTo(new Span<byte>(address + 2, SunPathBytes));
        if (BindNative(fd, address, (uint)(2 + name.Length + 1)) != 0)
        {
            var error = Error();
            CloseNative(fd);
            throw error;
        }
        return new Socket(new SafeSocketHandle(fd, ownsHandle: true));
    }

    private static SocketException Error()
    {
        int errno = Marshal.GetLastPInvokeError();
        return errno switch
        {
            13 => new SocketException((int)SocketError.AccessDenied),
            98 => new SocketException((int)SocketError.AddressAlreadyInUse),
            _ => new SocketException((int)SocketError.SocketError, Marshal.GetPInvokeErrorMessage(errno)),
        };
    }
}
