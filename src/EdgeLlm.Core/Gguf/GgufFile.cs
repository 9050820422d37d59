using EdgeLlm.Core.Tensors;

namespace EdgeLlm.Core.Gguf;

/// <summary>A GGUF model file, memory-mapped read-only. Tensor data is never copied.</summary>
/// <remarks>
/// Opening parses and validates the header only; the pages of tensor data are touched by the
/// kernels when they need them, so a multi-gigabyte model opens in milliseconds with a warm cache.
/// </remarks>
public sealed unsafe class GgufFile : IDisposable
{
    private readonly ReadOnlyMapping _mapping;
    private readonly Dictionary<string, GgufValue> _metadata;
    private readonly Dictionary<string, GgufTensorInfo> _tensorsByName;

    private GgufFile(string path, ReadOnlyMapping mapping, GgufHeader header)
    {
        Path = path;
        _mapping = mapping;
        FileLength = mapping.Length;
        Version = header.Version;
        Alignment = header.Alignment;
        DataOffset = header.DataOffset;
        MetadataInFileOrder = header.Metadata;
        Tensors = header.Tensors;
        _metadata = header.Metadata.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        _tensorsByName = header.Tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    public string Path { get; }
    public long FileLength { get; }
    public uint Version { get; }
    public long Alignment { get; }

    /// <summary>Absolute file offset where the tensor data section begins.</summary>
    public long DataOffset { get; }

    public IReadOnlyList<KeyValuePair<string, GgufValue>> MetadataInFileOrder { get; }
    public IReadOnlyList<GgufTensorInfo> Tensors { get; }

    /// <summary>Start of the mapping; for advisory calls (madvise, mlock) over the whole file.</summary>
    public byte* BasePointer => _mapping.Pointer;

    /// <summary>Maps and validates <paramref name="path"/>. Any problem becomes a single-line <see cref="GgufException"/>.</summary>
    public static GgufFile Open(string path)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new GgufException($"cannot open '{path}': {e.Message}");
        }

        long length = stream.Length;
        if (length < 24)
        {
            stream.Dispose();
            throw new GgufException($"'{path}' is too small to be a GGUF file ({length} bytes)");
        }

        ReadOnlyMapping mapping;
        try
        {
            mapping = ReadOnlyMapping.Create(stream);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new GgufException($"cannot map '{path}': {e.Message}");
        }
        try
        {
            return new GgufFile(path, mapping, GgufParser.Parse(mapping.Pointer, length));
        }
        catch
        {
            mapping.Dispose();
            throw;
        }
    }

    public bool Contains(string key) => _metadata.ContainsKey(key);

    public GgufValue? Find(string key) => _metadata.GetValueOrDefault(key);

    public string GetString(string key) => Find(key)?.AsString() ?? throw Missing(key, "a string");

    public string? GetStringOrNull(string key) => Find(key)?.AsString();

    public uint GetUInt32(string key) => TryGetInteger(key, out long v) && v is >= 0 and <= uint.MaxValue
        ? (uint)v : throw Missing(key, "an unsigned 32-bit integer");

    public uint GetUInt32(string key, uint fallback) => Contains(key) ? GetUInt32(key) : fallback;

    public long GetInt64(string key) => TryGetInteger(key, out long v) ? v : throw Missing(key, "an integer");

    public float GetFloat32(string key) => Find(key)?.AsDouble() is double d ? (float)d : throw Missing(key, "a number");

    public float GetFloat32(string key, float fallback) => Contains(key) ? GetFloat32(key) : fallback;

    public bool GetBool(string key, bool fallback) => Find(key) is { } v ? v.AsBool() ?? throw Missing(key, "a boolean") : fallback;

    public bool TryGetInteger(string key, out long value)
    {
        value = 0;
        if (Find(key) is not { IsInteger: true } v || v.AsInt64() is not long l) return false;
        value = l;
        return true;
    }

    public GgufTensorInfo? FindTensor(string name) => _tensorsByName.GetValueOrDefault(name);

    public GgufTensorInfo GetTensor(string name) =>
        FindTensor(name) ?? throw new GgufException($"tensor '{name}' not found in {System.IO.Path.GetFileName(Path)}");

    /// <summary>Pointer to a tensor's first byte inside the mapping.</summary>
    public byte* TensorPointer(GgufTensorInfo tensor) => BasePointer + DataOffset + tensor.Offset;

    /// <summary>A tensor's bytes as a span (tensors over 2 GiB must be read through <see cref="TensorPointer"/>).</summary>
    public ReadOnlySpan<byte> TensorBytes(GgufTensorInfo tensor) =>
        tensor.ByteSize <= int.MaxValue
            ? new ReadOnlySpan<byte>(TensorPointer(tensor), (int)tensor.ByteSize)
            : throw new GgufException($"tensor '{tensor.Name}' is larger than 2 GiB and cannot be viewed as one span");

    /// <summary>Bytes of one row of a tensor (a row is <see cref="GgufTensorInfo.RowLength"/> elements).</summary>
    public ReadOnlySpan<byte> TensorRow(GgufTensorInfo tensor, long row)
    {
        long rowBytes = GgmlTypeInfo.RowBytes(tensor.Type, tensor.RowLength);
        if ((ulong)row >= (ulong)tensor.RowCount) throw new ArgumentOutOfRangeException(nameof(row));
        return new ReadOnlySpan<byte>(TensorPointer(tensor) + row * rowBytes, checked((int)rowBytes));
    }

    private GgufException Missing(string key, string what) =>
        Contains(key)
            ? new GgufException($"metadata '{key}' should be {what} but is {Find(key)!.Type} ({Find(key)})")
            : new GgufException($"metadata '{key}' is missing from {System.IO.Path.GetFileName(Path)}");

    public void Dispose() => _mapping.Dispose();
}
