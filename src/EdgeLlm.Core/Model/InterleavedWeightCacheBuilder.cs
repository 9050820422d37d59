using System.Buffers.Binary;
using EdgeLlm.Core.Gguf;
using EdgeLlm.Core.Tensors;

namespace EdgeLlm.Core.Model;

/// <summary>
/// Writes an <see cref="InterleavedWeightCache"/> file: to a temporary name, synced, then renamed over the old one, so a
/// crash, a full disk or a second process building at the same time never leaves a half-written cache behind.
/// </summary>
internal static unsafe class InterleavedWeightCacheBuilder
{
    private const int BufferBytes = 1 << 20;

    /// <summary>Free space left on the cache's filesystem after writing it, at least: a full disk breaks the rest of the device.</summary>
    internal static long KeepFreeBytes(long totalBytes) => DiskReserve.KeepFreeBytes(totalBytes);

    /// <summary>Builds the cache at <paramref name="path"/>; returns null, or why it could not.</summary>
    /// <param name="keepFree">Bytes that must stay free on the filesystem; null = <see cref="KeepFreeBytes"/> of its size.</param>
    public static string? Build(GgufFile model, IReadOnlyList<GgufTensorInfo> tensors, string path, Action<string>? log, long? keepFree = null)
    {
        string temp = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp"; // unique even for two loads in one process
        try
        {
            string directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
            Directory.CreateDirectory(directory);
            long total = tensors.Sum(InterleavedWeightCache.InterleavedBytes);
            var disk = new DriveInfo(directory);
            long reserve = keepFree ?? KeepFreeBytes(disk.TotalSize);
            if (disk.AvailableFreeSpace < total + reserve)
                return $"not enough disk space in {directory}: the cache needs {total / 1e9:F2} GB and {reserve / 1e9:F2} GB must stay free, " +
                       $"{disk.AvailableFreeSpace / 1e9:F2} GB are available (free some space, or set weight_cache to another directory or off)";
            log?.Invoke($"interleaving {tensors.Count} weight matrices ({total / 1e9:F2} GB) into {path}, once for this model file");
            using (var output = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1))
            {
                var entries = new byte[InterleavedWeightCache.HeaderBytes + InterleavedWeightCache.EntryBytes * tensors.Count];
                InterleavedWeightCache.WriteHeader(model, tensors.Count, entries);
                output.Write(entries); // placeholder for the entries, rewritten at the end
                long offset = InterleavedWeightCache.AlignUp(entries.Length);
                var buffer = new byte[BufferBytes];
                long done = 0;
                int reported = 0;
                for (int i = 0; i < tensors.Count; i++)
                {
                    var t = tensors[i];
                    var entry = entries.AsSpan(InterleavedWeightCache.HeaderBytes + i * InterleavedWeightCache.EntryBytes, InterleavedWeightCache.EntryBytes);
                    BinaryPrimitives.WriteInt32LittleEndian(entry, InterleavedWeightCache.IndexOf(model, t));
                    BinaryPrimitives.WriteUInt64LittleEndian(entry[24..], InterleavedWeightCache.SampleHash(model, t));
                    long bytes = InterleavedWeightCache.InterleavedBytes(t);
                    if (!Eligible(model, t))
                    {
                        BinaryPrimitives.WriteInt32LittleEndian(entry[4..], 1); // kept row-major
                        log?.Invoke($"  {t.Name} stays row-major (a non-finite scale, or a shape the layout does not take)");
                        done += bytes;
                        continue;
                    }
                    BinaryPrimitives.WriteInt64LittleEndian(entry[8..], offset);
                    BinaryPrimitives.WriteInt64LittleEndian(entry[16..], bytes);
                    output.Position = offset;
                    WriteInterleaved(model, t, output, buffer);
                    offset = InterleavedWeightCache.AlignUp(offset + bytes);
                    done += bytes;
                    int percent = (int)(100 * done / Math.Max(1, total));
                    if (percent >= reported + 10)
                    {
                        reported = percent / 10 * 10;
                        log?.Invoke($"  {reported}% ({done / 1e9:F2} of {total / 1e9:F2} GB)");
                    }
                }
                output.SetLength(Math.Max(output.Position, InterleavedWeightCache.AlignUp(entries.Length)));
                output.Position = 0;
                output.Write(entries);
                output.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            try { File.Delete(temp); } catch (Exception d) when (d is IOException or UnauthorizedAccessException) { }
            return e.Message;
        }
    }

    private static bool Eligible(GgufFile model, GgufTensorInfo t)
    {
        if (t.Dimensions.Length != 2 || !InterleavedDot.Fits(t.Type, (int)Math.Min(t.RowCount, int.MaxValue), (int)Math.Min(t.RowLength, int.MaxValue)))
            return false;
        return InterleavedDot.ScalesFinite(t.Type, model.TensorPointer(t), t.ElementCount);
    }

    private static void WriteInterleaved(GgufFile model, GgufTensorInfo t, FileStream output, byte[] buffer)
    {
        int n = (int)t.RowLength;
        long groups = t.RowCount / InterleavedDot.GroupRows;
        long groupBytes = InterleavedDot.GroupBytes(t.Type, n);
        nint rowBytes = (nint)GgmlTypeInfo.RowBytes(t.Type, n);
        int perBuffer = (int)Math.Max(1, buffer.Length / groupBytes);
        if (groupBytes > buffer.Length) buffer = new byte[groupBytes];
        byte* source = model.TensorPointer(t);
        fixed (byte* dst = buffer)
            for (long g = 0; g < groups; g += perBuffer)
            {
                int count = (int)Math.Min(perBuffer, groups - g);
                for (int k = 0; k < count; k++)
                    InterleavedDot.Interleave(t.Type, source + (g + k) * InterleavedDot.GroupRows * rowBytes, rowBytes, n, dst + k * groupBytes);
                output.Write(buffer, 0, (int)(count * groupBytes));
            }
    }
}
