namespace EdgeLlm.Core.Model;

/// <summary>
/// How much of a filesystem must stay free after EdgeLlm writes a large file there (the interleaved weight cache, a
/// downloaded model): a full SD card breaks the rest of the device (journal, package manager, the daemon's own logs).
/// </summary>
public static class DiskReserve
{
    /// <summary>5% of the filesystem, and never less than 512 MiB.</summary>
    public static long KeepFreeBytes(long totalBytes) => Math.Max(512L << 20, totalBytes / 20);
}
