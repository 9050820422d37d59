using EdgeLlm.Core.Tensors;

namespace EdgeLlm.Core.Gguf;

/// <summary>What the header of a GGUF file says, after validation against the file's real size.</summary>
internal sealed record GgufHeader(
    uint Version,
    IReadOnlyList<KeyValuePair<string, GgufValue>> Metadata,
    IReadOnlyList<GgufTensorInfo> Tensors,
    long Alignment,
    long DataOffset);

/// <summary>Parses and validates a GGUF header (versions 2 and 3) held in memory.</summary>
/// <remarks>
/// A model file is untrusted input. The parser never allocates more than the file could hold,
/// never recurses without bound, and checks every tensor against the data section before any
/// kernel sees a pointer into it.
/// </remarks>
internal static unsafe class GgufParser
{
    public const uint Magic = 0x46554747; // "GGUF" little-endian
    public const long DefaultAlignment = 32;
    public const int MaxDimensions = 4;
    private const int MaxArrayNesting = 8;

    public static GgufHeader Parse(byte* start, long length)
    {
        var cursor = new GgufCursor(start, length);
        if (length < 4 || cursor.ReadUInt32() != Magic)
            throw new GgufException("not a GGUF file (bad magic)");
        uint version = cursor.ReadUInt32();
        if (version is not (2 or 3))
        {
            string hint = version == 1 ? " (GGUF v1 is obsolete; re-convert the model)"
                : (version & 0xFFFF) == 0 ? " (big-endian file?)" : "";
            throw new GgufException($"unsupported GGUF version {version}{hint}; versions 2 and 3 are supported");
        }

        ulong tensorCount = cursor.ReadUInt64();
        ulong kvCount = cursor.ReadUInt64();
        // Smallest possible key/value: empty key (8) + type (4) + one byte; smallest tensor info: 8+4+8+4+8.
        cursor.RequireRoomFor(kvCount, 13, "metadata count");
        cursor.RequireRoomFor(tensorCount, 32, "tensor count");

        var metadata = new List<KeyValuePair<string, GgufValue>>((int)Math.Min(kvCount, 4096));
        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (ulong i = 0; i < kvCount; i++)
        {
            long at = cursor.Position;
            string key = cursor.ReadString($"metadata key #{i}");
            if (!keys.Add(key))
                throw GgufCursor.Error(at, $"duplicate metadata key '{key}'");
            var value = ReadValue(cursor, key, nesting: 0);
            metadata.Add(new(key, value));
        }

        long alignment = ReadAlignment(metadata);

        var infos = new List<(string Name, GgmlType Type, long[] Dims, ulong Offset, long At)>((int)Math.Min(tensorCount, 4096));
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (ulong i = 0; i < tensorCount; i++)
        {
            long at = cursor.Position;
            string name = cursor.ReadString($"tensor #{i} name");
            if (!names.Add(name))
                throw GgufCursor.Error(at, $"duplicate tensor name '{name}'");
            uint nDims = cursor.ReadUInt32();
            if (nDims is 0 or > MaxDimensions)
                throw GgufCursor.Error(at, $"tensor '{name}' has {nDims} dimensions; 1 to {MaxDimensions} are allowed");
            var dims = new long[nDims];
            for (int d = 0; d < nDims; d++)
            {
                ulong dim = cursor.ReadUInt64();
                if (dim is 0 or > long.MaxValue)
                    throw GgufCursor.Error(at, $"tensor '{name}' has an invalid dimension {dim}");
                dims[d] = (long)dim;
            }
            uint type = cursor.ReadUInt32();
            ulong offset = cursor.ReadUInt64();
            infos.Add((name, (GgmlType)type, dims, offset, at));
        }

        long dataOffset = AlignUp(cursor.Position, alignment);
        if (tensorCount > 0 && dataOffset > length)
            throw new GgufException($"file truncated: tensor data should start at byte {dataOffset} but the file has {length} bytes");
        long dataLength = Math.Max(0, length - dataOffset);

        var tensors = new List<GgufTensorInfo>(infos.Count);
        foreach (var (name, type, dims, offset, at) in infos)
            tensors.Add(ValidateTensor(name, type, dims, offset, at, alignment, dataLength));
        CheckNoOverlap(tensors);

        return new GgufHeader(version, metadata, tensors, alignment, dataOffset);
    }

    private static GgufValue ReadValue(GgufCursor cursor, string key, int nesting)
    {
        long at = cursor.Position;
        uint rawType = cursor.ReadUInt32();
        var type = (GgufValueType)rawType;
        if (type == GgufValueType.Array)
            return ReadArray(cursor, key, nesting);
        if (!Enum.IsDefined(type))
            throw GgufCursor.Error(at, $"metadata '{key}' has unknown value type {rawType}");
        return new GgufValue(type, ReadScalar(cursor, type, key));
    }

    private static object ReadScalar(GgufCursor cursor, GgufValueType type, string key) => type switch
    {
        GgufValueType.UInt8 => (ulong)cursor.ReadUInt8(),
        GgufValueType.Int8 => (long)(sbyte)cursor.ReadUInt8(),
        GgufValueType.UInt16 => (ulong)cursor.ReadUInt16(),
        GgufValueType.Int16 => (long)(short)cursor.ReadUInt16(),
        GgufValueType.UInt32 => (ulong)cursor.ReadUInt32(),
        GgufValueType.Int32 => (long)(int)cursor.ReadUInt32(),
        GgufValueType.UInt64 => cursor.ReadUInt64(),
        GgufValueType.Int64 => (long)cursor.ReadUInt64(),
        GgufValueType.Float32 => (double)cursor.ReadFloat32(),
        GgufValueType.Float64 => cursor.ReadFloat64(),
        GgufValueType.Bool => cursor.ReadUInt8() != 0,
        GgufValueType.String => cursor.ReadString($"metadata '{key}'"),
        _ => throw new InvalidOperationException("unreachable"),
    };

    private static GgufValue ReadArray(GgufCursor cursor, string key, int nesting)
    {
        long at = cursor.Position;
        if (nesting >= MaxArrayNesting)
            throw GgufCursor.Error(at, $"metadata '{key}': arrays nested deeper than {MaxArrayNesting} levels");
        uint rawElementType = cursor.ReadUInt32();
        var elementType = (GgufValueType)rawElementType;
        if (!Enum.IsDefined(elementType))
            throw GgufCursor.Error(at, $"metadata '{key}' is an array of unknown value type {rawElementType}");
        ulong count = cursor.ReadUInt64();
        cursor.RequireRoomFor(count, MinEncodedSize(elementType), $"metadata '{key}': array length");
        int n = (int)count; // bounded by the file size above; files over 2 G elements are refused below
        if (count > int.MaxValue)
            throw GgufCursor.Error(at, $"metadata '{key}': array length {count} is too large");

        object array = elementType switch
        {
            GgufValueType.UInt8 => Fill(n, () => cursor.ReadUInt8()),
            GgufValueType.Int8 => Fill(n, () => (sbyte)cursor.ReadUInt8()),
            GgufValueType.UInt16 => Fill(n, () => cursor.ReadUInt16()),
            GgufValueType.Int16 => Fill(n, () => (short)cursor.ReadUInt16()),
            GgufValueType.UInt32 => Fill(n, () => cursor.ReadUInt32()),
            GgufValueType.Int32 => Fill(n, () => (int)cursor.ReadUInt32()),
            GgufValueType.UInt64 => Fill(n, () => cursor.ReadUInt64()),
            GgufValueType.Int64 => Fill(n, () => (long)cursor.ReadUInt64()),
            GgufValueType.Float32 => Fill(n, () => cursor.ReadFloat32()),
            GgufValueType.Float64 => Fill(n, () => cursor.ReadFloat64()),
            GgufValueType.Bool => Fill(n, () => cursor.ReadUInt8() != 0),
            GgufValueType.String => ReadStrings(cursor, n, key),
            GgufValueType.Array => ReadNested(cursor, n, key, nesting),
            _ => throw new InvalidOperationException("unreachable"),
        };
        return new GgufValue(GgufValueType.Array, array, elementType);
    }

    private delegate T ElementReader<T>();

    private static T[] Fill<T>(int n, ElementReader<T> read)
    {
        var result = new T[n];
        for (int i = 0; i < n; i++) result[i] = read();
        return result;
    }

    private static string[] ReadStrings(GgufCursor cursor, int n, string key)
    {
        var result = new string[n];
        for (int i = 0; i < n; i++) result[i] = cursor.ReadString($"metadata '{key}'[{i}]");
        return result;
    }

    private static GgufValue[] ReadNested(GgufCursor cursor, int n, string key, int nesting)
    {
        var result = new GgufValue[n];
        for (int i = 0; i < n; i++) result[i] = ReadArray(cursor, key, nesting + 1);
        return result;
    }

    private static long MinEncodedSize(GgufValueType type) => type switch
    {
        GgufValueType.UInt8 or GgufValueType.Int8 or GgufValueType.Bool => 1,
        GgufValueType.UInt16 or GgufValueType.Int16 => 2,
        GgufValueType.UInt32 or GgufValueType.Int32 or GgufValueType.Float32 => 4,
        GgufValueType.UInt64 or GgufValueType.Int64 or GgufValueType.Float64 or GgufValueType.String => 8,
        GgufValueType.Array => 12,
        _ => 1,
    };

    private static long ReadAlignment(List<KeyValuePair<string, GgufValue>> metadata)
    {
        foreach (var (key, value) in metadata)
        {
            if (key != "general.alignment") continue;
            long? a = value.IsInteger ? value.AsInt64() : null;
            if (a is null or <= 0 or > 1 << 20 || (a & (a - 1)) != 0)
                throw new GgufException($"general.alignment must be a power of two up to 1 MiB, got {value}");
            return a.Value;
        }
        return DefaultAlignment;
    }

    private static GgufTensorInfo ValidateTensor(string name, GgmlType type, long[] dims, ulong offset, long at, long alignment, long dataLength)
    {
        if (!Enum.IsDefined(type))
            throw GgufCursor.Error(at, $"tensor '{name}' has unknown ggml type {(uint)type}");
        if (!GgmlTypeInfo.IsSupported(type))
            throw GgufCursor.Error(at, $"tensor '{name}' uses ggml type {type} ({(uint)type}), which is not supported");

        long elements = 1;
        foreach (long d in dims)
        {
            try { elements = checked(elements * d); }
            catch (OverflowException)
            {
                throw GgufCursor.Error(at, $"tensor '{name}' shape [{string.Join(", ", dims)}] overflows a 64-bit element count");
            }
        }
        int blockSize = GgmlTypeInfo.BlockSize(type);
        if (dims[0] % blockSize != 0)
            throw GgufCursor.Error(at, $"tensor '{name}' row length {dims[0]} is not a multiple of the {type} block size {blockSize}");
        long blocks = elements / blockSize;
        long bytes;
        try { bytes = checked(blocks * GgmlTypeInfo.BlockBytes(type)); }
        catch (OverflowException)
        {
            throw GgufCursor.Error(at, $"tensor '{name}' byte size overflows");
        }

        if (offset % (ulong)alignment != 0)
            throw GgufCursor.Error(at, $"tensor '{name}' data offset {offset} is not a multiple of the alignment {alignment}");
        if (offset > (ulong)dataLength || bytes > dataLength - (long)offset)
            throw GgufCursor.Error(at, $"tensor '{name}' data ({bytes} bytes at data offset {offset}) extends beyond the end of the file (data section is {dataLength} bytes): file truncated?");
        return new GgufTensorInfo(name, type, dims, (long)offset, bytes);
    }

    private static void CheckNoOverlap(List<GgufTensorInfo> tensors)
    {
        var byOffset = tensors.OrderBy(t => t.Offset).ToArray();
        for (int i = 1; i < byOffset.Length; i++)
        {
            var previous = byOffset[i - 1];
            if (previous.Offset + previous.ByteSize > byOffset[i].Offset)
                throw new GgufException($"tensors '{previous.Name}' and '{byOffset[i].Name}' overlap in the data section");
        }
    }

    private static long AlignUp(long value, long alignment) => (value + alignment - 1) / alignment * alignment;
}
