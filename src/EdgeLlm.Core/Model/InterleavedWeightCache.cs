using System.Buffers.Binary;
using EdgeLlm.Core.Gguf;
using EdgeLlm.Core.Tensors;

namespace EdgeLlm.Core.Model;

/// <summary>
/// A model's weight matrices in the interleaved layout (<see cref="InterleavedDot"/>), kept in a cache file and mapped
/// read-only like the model: built once (a few seconds per GB), then opened in milliseconds. The pages are file-backed,
/// so the copy costs disk and page cache, never anonymous memory; generation reads it instead of the original matrices.
/// </summary>
/// <remarks>
/// Layout (little-endian): a 64-byte header (magic, version, entry count, the source file's length, modification time
/// and header hash, rows per group), one 32-byte entry per requested tensor (its index in the GGUF, whether it is
/// interleaved, offset, length, a hash of its first source bytes), then each interleaved tensor 4 KiB-aligned. Any
/// mismatch with the model or the request makes the file stale, and it is rebuilt.
/// </remarks>
public sealed unsafe class InterleavedWeightCache : IDisposable
{
    internal const ulong Magic = 0x4C564C4D4C4C4445; // "EDLLMLVL"
    internal const uint Version = 4; // 2: Q4_K groups, 3: Q6_K groups, 4: each block's scales beside its quants
    internal const int HeaderBytes = 64, EntryBytes = 32;
    internal const int SampleBytes = 4096;
    internal const long DataAlignment = 4096;

    private readonly ReadOnlyMapping _mapping;
    private readonly Dictionary<string, long> _offsets;

    private InterleavedWeightCache(string path, ReadOnlyMapping mapping, Dictionary<string, long> offsets)
    {
        Path = path;
        _mapping = mapping;
        _offsets = offsets;
    }

    public string Path { get; }
    public long Length => _mapping.Length;

    /// <summary>Number of matrices held interleaved.</summary>
    public int MatrixCount => _offsets.Count;

    /// <summary>Start of the mapping, for prefetch and mlock.</summary>
    public byte* BasePointer => _mapping.Pointer;

    /// <summary>The interleaved copy of tensor <paramref name="name"/>, or null when it is kept row-major.</summary>
    public byte* Find(string name) => _offsets.TryGetValue(name, out long offset) ? BasePointer + offset : null;

    /// <summary>The cache file name for a model: its file name plus a hash of its full path, so two models never share one.</summary>
    public static string FileNameFor(string modelPath)
    {
        string full = System.IO.Path.GetFullPath(modelPath);
        return $"{System.IO.Path.GetFileName(full)}.{Hash64(System.Text.Encoding.UTF8.GetBytes(full)):x16}.interleaved";
    }

    /// <summary>
    /// Opens the cache for <paramref name="tensors"/> of <paramref name="model"/> in <paramref name="directory"/>, building it
    /// first when it is missing or stale. Returns null (after telling <paramref name="log"/> why) when it cannot be used,
    /// e.g. a read-only or full disk: the model then runs on its row-major matrices, nothing else changes.
    /// </summary>
    public static InterleavedWeightCache? OpenOrBuild(GgufFile model, IReadOnlyList<GgufTensorInfo> tensors, string directory, Action<string>? log = null)
    {
        string path = System.IO.Path.Combine(directory, FileNameFor(model.Path));
        string? stale = TryOpen(model, tensors, path, out var cache);
        if (cache != null) return cache;
        if (stale != null) log?.Invoke($"interleaved weight cache {path} is stale ({stale}); rebuilding");
        string? error = InterleavedWeightCacheBuilder.Build(model, tensors, path, log);
        if (error != null)
        {
            log?.Invoke($"interleaved weight cache not used: {error}");
            return null;
        }
        string? problem = TryOpen(model, tensors, path, out cache);
        if (cache == null) log?.Invoke($"interleaved weight cache not used: the file just written does not check ({problem})");
        return cache;
    }

    /// <summary>Maps and checks <paramref name="path"/>: null and a cache, or the reason it cannot be used (null cache).</summary>
    internal static string? TryOpen(GgufFile model, IReadOnlyList<GgufTensorInfo> tensors, string path, out InterleavedWeightCache? cache)
    {
        cache = null;
        if (!File.Exists(path)) return null;
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return e.Message;
        }
        long length = stream.Length;
        if (length < HeaderBytes + (long)EntryBytes * tensors.Count)
        {
            stream.Dispose();
            return $"{length} bytes is too short";
        }
        ReadOnlyMapping mapping;
        try
        {
            mapping = ReadOnlyMapping.Create(stream);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"cannot map it: {e.Message}";
        }
        var offsets = new Dictionary<string, long>(StringComparer.Ordinal);
        string? problem = Check(model, tensors, new ReadOnlySpan<byte>(mapping.Pointer, (int)Math.Min(length, int.MaxValue)), length, offsets);
        if (problem != null)
        {
            mapping.Dispose();
            return problem;
        }
        cache = new InterleavedWeightCache(path, mapping, offsets);
        return null;
    }

    private static string? Check(GgufFile model, IReadOnlyList<GgufTensorInfo> tensors, ReadOnlySpan<byte> file, long length, Dictionary<string, long> offsets)
    {
        var expected = new byte[HeaderBytes];
        WriteHeader(model, tensors.Count, expected);
        if (!file[..HeaderBytes].SequenceEqual(expected)) return "made for another model file, version or layout";
        long end = AlignUp(HeaderBytes + (long)EntryBytes * tensors.Count);
        for (int i = 0; i < tensors.Count; i++)
        {
            var t = tensors[i];
            var e = file.Slice(HeaderBytes + i * EntryBytes, EntryBytes);
            if (BinaryPrimitives.ReadInt32LittleEndian(e) != IndexOf(model, t)) return $"entry {i} is not tensor '{t.Name}'";
            bool interleaved = BinaryPrimitives.ReadInt32LittleEndian(e[4..]) == 0;
            long offset = BinaryPrimitives.ReadInt64LittleEndian(e[8..]), bytes = BinaryPrimitives.ReadInt64LittleEndian(e[16..]);
            if (BinaryPrimitives.ReadUInt64LittleEndian(e[24..]) != SampleHash(model, t)) return $"tensor '{t.Name}' changed";
            if (!interleaved) continue;
            if (offset != end || bytes != InterleavedBytes(t) || offset + bytes > length) return $"entry for '{t.Name}' is out of place";
            offsets[t.Name] = offset;
            end = AlignUp(offset + bytes);
        }
        return end < length && length - end >= DataAlignment ? "has trailing data" : null;
    }

    internal static void WriteHeader(GgufFile model, int entries, Span<byte> header)
    {
        header.Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(header, Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], Version);
        BinaryPrimitives.WriteInt32LittleEndian(header[12..], entries);
        BinaryPrimitives.WriteInt64LittleEndian(header[16..], model.FileLength);
        BinaryPrimitives.WriteInt64LittleEndian(header[24..], File.GetLastWriteTimeUtc(model.Path).Ticks);
        BinaryPrimitives.WriteUInt64LittleEndian(header[32..], Hash64(new ReadOnlySpan<byte>(model.BasePointer, (int)Math.Min(model.DataOffset, int.MaxValue))));
        BinaryPrimitives.WriteInt32LittleEndian(header[40..], InterleavedDot.GroupRows);
    }

    internal static int IndexOf(GgufFile model, GgufTensorInfo tensor)
    {
        for (int i = 0; i < model.Tensors.Count; i++)
            if (ReferenceEquals(model.Tensors[i], tensor) || model.Tensors[i].Name == tensor.Name) return i;
        throw new ArgumentException($"tensor '{tensor.Name}' is not in {model.Path}", nameof(tensor));
    }

    internal static long InterleavedBytes(GgufTensorInfo t) =>
        t.RowCount / InterleavedDot.GroupRows * InterleavedDot.GroupBytes(t.Type, (int)t.RowLength);

    internal static ulong SampleHash(GgufFile model, GgufTensorInfo t)
    {
        var bytes = model.TensorBytes(t);
        return Hash64(bytes[..Math.Min(bytes.Length, SampleBytes)]);
    }

    internal static long AlignUp(long offset) => (offset + DataAlignment - 1) / DataAlignment * DataAlignment;

    /// <summary>A fast 64-bit non-cryptographic hash (8 bytes per step): detects changed files, not adversaries.</summary>
    internal static ulong Hash64(ReadOnlySpan<byte> data)
    {
        ulong h = 0x243F6A8885A308D3 ^ (ulong)data.Length;
        int i = 0;
        for (; i + 8 <= data.Length; i += 8)
        {
            h = (h ^ BinaryPrimitives.ReadUInt64LittleEndian(data[i..])) * 0x9E3779B97F4A7C15;
            h ^= h >> 29;
        }
        for (; i < data.Length; i++) h = (h ^ data[i]) * 0x100000001B3;
        return h ^ (h >> 32);
    }

    public void Dispose() => _mapping.Dispose();
}
