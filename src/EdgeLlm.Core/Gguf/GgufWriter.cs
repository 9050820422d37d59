using System.Text;
using EdgeLlm.Core.Tensors;

namespace EdgeLlm.Core.Gguf;

/// <summary>Writes a GGUF v3 file: metadata, tensor infos, then tensor data streamed by the caller.</summary>
/// <remarks>Tensor data is produced tensor by tensor through a callback, so multi-gigabyte files never sit in memory.</remarks>
public sealed class GgufWriter
{
    private readonly List<(string Key, Action<BinaryWriter> Write)> _metadata = [];
    private readonly List<(string Name, GgmlType Type, long[] Dims)> _tensors = [];

    public int Alignment { get; init; } = 32;

    public GgufWriter Add(string key, string value) => Kv(key, w => { w.Write((uint)GgufValueType.String); WriteString(w, value); });
    public GgufWriter Add(string key, uint value) => Kv(key, w => { w.Write((uint)GgufValueType.UInt32); w.Write(value); });
    public GgufWriter Add(string key, int value) => Kv(key, w => { w.Write((uint)GgufValueType.Int32); w.Write(value); });
    public GgufWriter Add(string key, float value) => Kv(key, w => { w.Write((uint)GgufValueType.Float32); w.Write(value); });
    public GgufWriter Add(string key, bool value) => Kv(key, w => { w.Write((uint)GgufValueType.Bool); w.Write(value); });

    public GgufWriter Add(string key, IReadOnlyList<string> values) => Kv(key, w =>
    {
        WriteArrayHeader(w, GgufValueType.String, values.Count);
        foreach (string v in values) WriteString(w, v);
    });

    public GgufWriter Add(string key, IReadOnlyList<float> values) => Kv(key, w =>
    {
        WriteArrayHeader(w, GgufValueType.Float32, values.Count);
        foreach (float v in values) w.Write(v);
    });

    public GgufWriter Add(string key, IReadOnlyList<int> values) => Kv(key, w =>
    {
        WriteArrayHeader(w, GgufValueType.Int32, values.Count);
        foreach (int v in values) w.Write(v);
    });

    /// <summary>Declares a tensor; dims in ggml order (row length first).</summary>
    public GgufWriter AddTensor(string name, GgmlType type, params long[] dims)
    {
        _tensors.Add((name, type, dims));
        return this;
    }

    public IReadOnlyList<(string Name, GgmlType Type, long[] Dims)> Tensors => _tensors;

    public static long ByteSize(GgmlType type, long[] dims)
    {
        long n = 1;
        foreach (long d in dims) n *= d;
        return n / GgmlTypeInfo.BlockSize(type) * GgmlTypeInfo.BlockBytes(type);
    }

    /// <summary>Writes the file; <paramref name="writeData"/> must write exactly the tensor's byte size for each tensor in order.</summary>
    public void WriteTo(Stream stream, Action<int, Stream> writeData)
    {
        if (!_metadata.Any(m => m.Key == "general.alignment") && Alignment != 32)
            Add("general.alignment", (uint)Alignment);
        using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(GgufParser.Magic);
            w.Write(3u);
            w.Write((ulong)_tensors.Count);
            w.Write((ulong)_metadata.Count);
            foreach (var (key, write) in _metadata)
            {
                WriteString(w, key);
                write(w);
            }
            long offset = 0;
            foreach (var (name, type, dims) in _tensors)
            {
                WriteString(w, name);
                w.Write((uint)dims.Length);
                foreach (long d in dims) w.Write((ulong)d);
                w.Write((uint)type);
                w.Write((ulong)offset);
                offset = AlignUp(offset + ByteSize(type, dims));
            }
            w.Flush();
        }
        Pad(stream, AlignUp(stream.Position) - stream.Position);
        for (int i = 0; i < _tensors.Count; i++)
        {
            long start = stream.Position;
            writeData(i, stream);
            long written = stream.Position - start;
            long expected = ByteSize(_tensors[i].Type, _tensors[i].Dims);
            if (written != expected)
                throw new InvalidOperationException($"tensor '{_tensors[i].Name}': wrote {written} bytes, expected {expected}");
            if (i + 1 < _tensors.Count) Pad(stream, AlignUp(written) - written);
        }
    }

    private GgufWriter Kv(string key, Action<BinaryWriter> write)
    {
        _metadata.Add((key, write));
        return this;
    }

    private long AlignUp(long v) => (v + Alignment - 1) / Alignment * Alignment;

    private static void Pad(Stream s, long count)
    {
        for (long i = 0; i < count; i++) s.WriteByte(0);
    }

    private static void WriteArrayHeader(BinaryWriter w, GgufValueType elementType, int count)
    {
        w.Write((uint)GgufValueType.Array);
        w.Write((uint)elementType);
        w.Write((ulong)count);
    }

    private static void WriteString(BinaryWriter w, string s)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(s);
        w.Write((ulong)bytes.Length);
        w.Write(bytes);
    }
}
