using System.Runtime.InteropServices;

namespace EdgeLlm.Native;

/// <summary>What kind of file a path names (from its mode bits).</summary>
public enum FileKind { Missing, Inaccessible, Regular, Directory, Fifo, Socket, CharacterDevice, BlockDevice, SymbolicLink, Other }

/// <summary>
/// The type and identity (device and inode) of a path, from statx(2) without opening it: opening a FIFO blocks until
/// a writer comes, and .NET has no API for the file type or the inode. statx's struct is the same on every
/// architecture, unlike stat's.
/// </summary>
public readonly partial record struct FileStatus(FileKind Kind, ulong Device, ulong Inode, int GroupId)
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1, StatxGid = 0x10, StatxIno = 0x100;
    private const int ENOENT = 2, ENOTDIR = 20;
    private const int StatxSize = 256, GidOffset = 24, ModeOffset = 28, InodeOffset = 32, DevMajorOffset = 136, DevMinorOffset = 140;

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static unsafe partial int StatxNative(int dirFd, byte* path, int flags, uint mask, byte* buffer);

    /// <summary>The status of <paramref name="path"/>, following a final symbolic link unless <paramref name="followLink"/> is false.</summary>
    public static unsafe FileStatus Of(string path, bool followLink = true)
    {
        byte[] name = System.Text.Encoding.UTF8.GetBytes(path + "\0");
        byte* buffer = stackalloc byte[StatxSize];
        int result;
        fixed (byte* p = name)
            result = StatxNative(AtFdCwd, p, followLink ? 0 : AtSymlinkNoFollow, StatxType | StatxGid | StatxIno, buffer);
        if (result != 0)
            return new FileStatus(Marshal.GetLastPInvokeError() is ENOENT or ENOTDIR ? FileKind.Missing : FileKind.Inaccessible, 0, 0, -1);
        int mode = *(ushort*)(buffer + ModeOffset);
        ulong device = ((ulong)*(uint*)(buffer + DevMajorOffset) << 32) | *(uint*)(buffer + DevMinorOffset);
        return new FileStatus(KindOf(mode), device, *(ulong*)(buffer + InodeOffset), *(int*)(buffer + GidOffset));
    }

    public static FileKind KindOf(int mode) => (mode & 0xF000) switch
    {
        0x8000 => FileKind.Regular,
        0x4000 => FileKind.Directory,
        0x1000 => FileKind.Fifo,
        0xC000 => FileKind.Socket,
        0x2000 => FileKind.CharacterDevice,
        0x6000 => FileKind.BlockDevice,
        0xA000 => FileKind.SymbolicLink,
        _ => FileKind.Other,
    };

    /// <summary>"a directory", "a FIFO (named pipe)", ... for messages.</summary>
    public static string Describe(FileKind kind) => kind switch
    {
        FileKind.Missing => "missing",
        FileKind.Inaccessible => "not accessible",
        FileKind.Regular => "a regular file",
        FileKind.Directory => "a directory",
        FileKind.Fifo => "a FIFO (named pipe)",
        FileKind.Socket => "a socket",
        FileKind.CharacterDevice => "a character device",
        FileKind.BlockDevice => "a block device",
        FileKind.SymbolicLink => "a symbolic link",
        _ => "not a regular file",
    };
}
