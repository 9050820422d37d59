using EdgeLlm.Core.Model;

namespace EdgeLlm.Core.Generation;

/// <summary>
/// Prompt cache slots kept across restarts: one file per slot, <c>prompt-IDENTITY-PREFIX.kv</c> (the hashes of the
/// <see cref="PromptCacheIdentity"/> and of the slot's tokens), written to a temporary name and renamed, so a crash
/// leaves a whole file or none. Only files of the running model's identity are touched: another model's slots stay.
/// </summary>
/// <remarks>
/// Disk use is bounded by the cache's own limits: a file exists only for a slot in memory (an evicted slot's file is
/// deleted), and a write needs the weight cache's free-space rule (<see cref="DiskReserve"/>) to hold afterwards.
/// </remarks>
public sealed class PromptCacheDirectory
{
    private readonly Action<string>? _log;
    private readonly long? _keepFree;

    /// <param name="keepFree">Bytes that must stay free on the filesystem (tests); null: <see cref="DiskReserve.KeepFreeBytes"/>.</param>
    public PromptCacheDirectory(string path, PromptCacheIdentity identity, Action<string>? log = null, long? keepFree = null)
    {
        Path = path;
        Identity = identity;
        _log = log;
        _keepFree = keepFree;
    }

    public string Path { get; }
    public PromptCacheIdentity Identity { get; }

    private string Prefix => $"prompt-{Identity.Key:x16}-";

    public string FileFor(PromptCacheSlot slot) => System.IO.Path.Combine(Path, $"{Prefix}{PromptCacheFile.PrefixHash(slot.Tokens):x16}.kv");

    /// <summary>
    /// Reads every slot file of this identity; a file that fails its checks is logged (one line naming it and why) and
    /// deleted, and so are temporary files a crash left. Never throws for a bad file or directory.
    /// </summary>
    public List<PromptCacheSlot> Load()
    {
        var slots = new List<PromptCacheSlot>();
        string[] files;
        try
        {
            if (!Directory.Exists(Path)) return slots;
            files = Directory.GetFiles(Path, Prefix + "*");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log?.Invoke($"prompt cache directory {Path} cannot be read: {e.Message}; starting cold");
            return slots;
        }
        foreach (string file in files.Order(StringComparer.Ordinal))
        {
            string name = System.IO.Path.GetFileName(file);
            if (name.EndsWith(".tmp", StringComparison.Ordinal))
            {
                TryDelete(file);
                continue;
            }
            string hash = name[Prefix.Length..];
            if (!hash.EndsWith(".kv", StringComparison.Ordinal) || !ulong.TryParse(hash[..^3], System.Globalization.NumberStyles.HexNumber, null, out ulong prefixHash))
                continue;
            string? problem;
            PromptCacheSlot? slot;
            try
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
                problem = PromptCacheFile.Read(stream, Identity, prefixHash, out slot);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or OverflowException or OutOfMemoryException)
            {
                (problem, slot) = (e is EndOfStreamException ? "truncated" : e.Message, null);
            }
            if (slot is null)
            {
                _log?.Invoke($"prompt cache file {file} not used: {problem}; deleted (that prefix starts cold)");
                TryDelete(file);
                continue;
            }
            slot.File = file;
            slots.Add(slot);
        }
        return slots;
    }

    /// <summary>Writes <paramref name="slot"/>; null, or why it was not written (no room, read-only, ...), which is also logged.</summary>
    public string? Write(PromptCacheSlot slot)
    {
        string? problem = TryWrite(slot);
        if (problem != null) _log?.Invoke($"prompt cache slot of {slot.Count} tokens not written: {problem}");
        return problem;
    }

    private string? TryWrite(PromptCacheSlot slot)
    {
        string path = FileFor(slot);
        string temp = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            Directory.CreateDirectory(Path);
            long size = PromptCacheFile.SizeOf(slot);
            var disk = new DriveInfo(System.IO.Path.GetFullPath(Path));
            long reserve = _keepFree ?? DiskReserve.KeepFreeBytes(disk.TotalSize);
            if (disk.AvailableFreeSpace < size + reserve)
                return $"not enough disk space in {Path}: the slot needs {size / 1e6:F1} MB and {reserve / 1e9:F2} GB must stay free, {disk.AvailableFreeSpace / 1e9:F2} GB are available";
            using (var output = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                PromptCacheFile.Write(output, Identity, slot);
                output.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
            slot.File = path;
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            return e.Message;
        }
    }

    /// <summary>Deletes the slot's file and the older file it replaced, if any (an evicted slot leaves nothing behind).</summary>
    public void Delete(PromptCacheSlot slot)
    {
        if (slot.File is { } file) TryDelete(file);
        if (slot.Supersedes is { } older) TryDelete(older);
    }

    public void DeleteFile(string file) => TryDelete(file);

    private void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log?.Invoke($"prompt cache file {file} cannot be deleted: {e.Message}");
        }
    }
}
