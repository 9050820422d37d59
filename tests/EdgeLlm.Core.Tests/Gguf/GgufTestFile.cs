using System.Text;
using EdgeLlm.Core.Gguf;
using EdgeLlm.Core.Tensors;

namespace EdgeLlm.Core.Tests.Gguf;

/// <summary>Builds small GGUF files byte by byte so tests can corrupt any part of them on purpose.</summary>
internal sealed class GgufTestFile
{
    private readonly List<(string Key, Action<BinaryWriter> WriteValue)> _kvs = [];
    private readonly List<(string Name, GgmlType Type, long[] Dims, long? Offset, int? DataBytes)> _tensors = [];

    public uint Version { get; set; } = 3;
    public uint Magic { get; set; } = GgufParser.Magic;
    public int Alignment { get; set; } = 32;

    public GgufTestFile String(string key, string value) => Kv(key, w => { w.Write((uint)GgufValueType.String); WriteString(w, value); });
    public GgufTestFile UInt32(string key, uint value) => Kv(key, w => { w.Write((uint)GgufValueType.UInt32); w.Write(value); });
    public GgufTestFile Float32(string key, float value) => Kv(key, w => { w.Write((uint)GgufValueType.Float32); w.Write(value); });
    public GgufTestFile Raw(string key, Action<BinaryWriter> writeTypeAndValue) => Kv(key, writeTypeAndValue);

    public GgufTestFile StringArray(string key, params string[] values) => Kv(key, w =>
    {
        w.Write((uint)GgufValueType.Array);
        w.Write((uint)GgufValueType.String);
        w.Write((ulong)values.Length);
        foreach (var v in values) WriteString(w, v);
    });

    /// <summary>Adds a tensor; its data is laid out after the previous one unless an explicit offset is given.</summary>
    public GgufTestFile Tensor(string name, GgmlType type, long[] dims, long? offset = null, int? dataBytes = null)
    {
        _tensors.Add((name, type, dims, offset, dataBytes));
        return this;
    }

    private GgufTestFile Kv(string key, Action<BinaryWriter> write)
    {
        _kvs.Add((key, write));
        return this;
    }

    public static void WriteString(BinaryWriter w, string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        w.Write((ulong)bytes.Length);
        w.Write(bytes);
    }

    /// <summary>A minimal valid model: a few metadata keys and two small F32/Q4_0 tensors.</summary>
    public static GgufTestFile Minimal() => new GgufTestFile()
        .String("general.architecture", "llama")
        .UInt32("llama.block_count", 1)
        .Float32("llama.rope.freq_base", 10000f)
        .StringArray("tokenizer.ggml.tokens", "<unk>", "<s>", "</s>", "a")
        .Tensor("a.weight", GgmlType.F32, [8, 2])
        .Tensor("b.weight", GgmlType.Q4_0, [64, 2]);

    public byte[] Build()
    {
        using var ms = new MemoryStream();
        using var w = new BinaryWriter(ms);
        w.Write(Magic);
        w.Write(Version);
        w.Write((ulong)_tensors.Count);
        w.Write((ulong)_kvs.Count);
        foreach (var (key, write) in _kvs)
        {
            WriteString(w, key);
            write(w);
        }

        var offsets = new List<long>();
        var sizes = new List<long>();
        long next = 0;
        foreach (var t in _tensors)
        {
            long size = t.DataBytes ?? SafeSize(t.Type, t.Dims);
            long offset = t.Offset ?? next;
            offsets.Add(offset);
            sizes.Add(size);
            next = Align(Math.Max(next, offset + size), Alignment);
            WriteString(w, t.Name);
            w.Write((uint)t.Dims.Length);
            foreach (long d in t.Dims) w.Write((ulong)d);
            w.Write((uint)t.Type);
            w.Write((ulong)offset);
        }

        long dataStart = Align(ms.Position, Alignment);
        while (ms.Position < dataStart) w.Write((byte)0);
        long dataEnd = 0;
        for (int i = 0; i < offsets.Count; i++)
            if (offsets[i] + sizes[i] < 1 << 20) dataEnd = Math.Max(dataEnd, offsets[i] + sizes[i]);
        var rng = new Random(1);
        for (long i = 0; i < dataEnd; i++) w.Write((byte)rng.Next(256));
        return ms.ToArray();
    }

    private static long SafeSize(GgmlType type, long[] dims)
    {
        if (!GgmlTypeInfo.IsSupported(type)) return 64;
        try
        {
            long n = 1;
            foreach (long d in dims) n = checked(n * d);
            return Math.Min(n / GgmlTypeInfo.BlockSize(type) * GgmlTypeInfo.BlockBytes(type), 1 << 16);
        }
        catch (OverflowException) { return 64; }
    }

    private static long Align(long v, long a) => (v + a - 1) / a * a;

    /// <summary>Parses bytes in memory exactly as a mapped file would be parsed.</summary>
    public static unsafe GgufHeader Parse(byte[] bytes)
    {
        fixed (byte* p = bytes) return GgufParser.Parse(p, bytes.Length);
    }
}
