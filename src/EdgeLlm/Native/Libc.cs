using System.Runtime.InteropServices;

namespace EdgeLlm.Native;

/// <summary>The few libc calls .NET has no API for (source-generated marshalling: NativeAOT-safe).</summary>
internal static partial class Libc
{
    private const string Lib = "libc";

    [LibraryImport(Lib, EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int ChownNative(string path, int owner, int group);

    [LibraryImport(Lib, EntryPoint = "getgrnam", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr GetGroupByName(string name);

    [LibraryImport(Lib, EntryPoint = "getgrgid", SetLastError = true)]
    private static partial IntPtr GetGroupById(int gid);

    [LibraryImport(Lib, EntryPoint = "madvise", SetLastError = true)]
    private static unsafe partial int MadviseNative(void* address, nuint length, int advice);

    private const int MadvHugePage = 14;

    /// <summary>Asks for transparent huge pages over a 2 MiB-aligned range (THP in "madvise" mode, as on Raspberry Pi OS); false when refused.</summary>
    public static unsafe bool AdviseHugePages(void* address, nuint length) => OperatingSystem.IsLinux() && MadviseNative(address, length, MadvHugePage) == 0;

    [LibraryImport(Lib, EntryPoint = "mlockall", SetLastError = true)]
    private static partial int MlockAllNative(int flags);

    [LibraryImport(Lib, EntryPoint = "poll", SetLastError = true)]
    private static partial int PollNative(ref PollFd fd, nuint count, int timeoutMs);

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    private const short PollOut = 0x4, PollError = 0x8, PollHangUp = 0x10;
    private const int McLCurrent = 1;

    /// <summary>Gives <paramref name="path"/> to group <paramref name="gid"/> (owner unchanged); returns errno or 0.</summary>
    public static int ChangeGroup(string path, int gid) => ChownNative(path, -1, gid) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>The gid of a group name (via NSS), or null if there is no such group.</summary>
    public static int? GroupId(string name)
    {
        IntPtr entry = GetGroupByName(name);
        // struct group { char *gr_name; char *gr_passwd; gid_t gr_gid; char **gr_mem; }: gr_gid follows two pointers.
        return entry == IntPtr.Zero ? null : Marshal.ReadInt32(entry, 2 * IntPtr.Size);
    }

    /// <summary>The name of group <paramref name="gid"/> (via NSS), or its number when it has no name.</summary>
    public static string GroupName(int gid)
    {
        IntPtr entry = GetGroupById(gid);
        // gr_name is the struct's first member.
        return (entry == IntPtr.Zero ? null : Marshal.PtrToStringUTF8(Marshal.ReadIntPtr(entry))) ?? gid.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Locks every page mapped now (the model file included) in RAM; returns errno or 0.</summary>
    public static int LockAllCurrentPages() => MlockAllNative(McLCurrent) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>
    /// True when the peer closed its end completely (POLLHUP). Unlike end-of-file on read, this tells a vanished
    /// client from one that only shut down its writing side and still waits for answers.
    /// </summary>
    public static bool PeerHungUp(SafeHandle socket)
    {
        var fd = new PollFd { Fd = (int)socket.DangerousGetHandle(), Events = 0 };
        return PollNative(ref fd, 1, 0) > 0 && (fd.Revents & PollHangUp) != 0;
    }

    /// <summary>
    /// True when nobody can read what is written to <paramref name="fd"/> any more: the reader of a pipe left
    /// (<c>| head</c>), or a socket's peer hung up. .NET's console silently drops writes that fail with EPIPE, so
    /// without this a closed stdout is never noticed.
    /// </summary>
    public static bool OutputClosed(int fd)
    {
        var p = new PollFd { Fd = fd, Events = PollOut };
        return PollNative(ref p, 1, 0) > 0 && (p.Revents & (PollError | PollHangUp)) != 0;
    }

    public static string ErrorName(int errno) => errno switch
    {
        1 => "EPERM (operation not permitted)",
        12 => "ENOMEM (over the memlock limit?)",
        _ => $"errno {errno}",
    };
}
