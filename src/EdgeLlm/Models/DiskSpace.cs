namespace EdgeLlm.Models;

/// <summary>Free and total bytes of the filesystem holding a directory (an interface so tests can simulate a full disk).</summary>
public interface IDiskSpace
{
    (long Available, long Total) Query(string directory);
}

/// <summary>The real filesystem, through statvfs (DriveInfo).</summary>
public sealed class DriveDiskSpace : IDiskSpace
{
    public static readonly DriveDiskSpace Instance = new();

    public (long Available, long Total) Query(string directory)
    {
        var drive = new DriveInfo(directory);
        return (drive.AvailableFreeSpace, drive.TotalSize);
    }
}
