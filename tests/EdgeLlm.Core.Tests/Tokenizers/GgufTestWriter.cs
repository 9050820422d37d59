using System.Text;
using EdgeLlm.Core.Gguf;

namespace EdgeLlm.Core.Tests.Tokenizers;

/// <summary>Writes a metadata-only GGUF v3 file, to feed deliberately broken tokenizer metadata through the real reader.</summary>
internal sealed class GgufTestWriter
{
    private readonly List<(string Key, Action<BinaryWriter> Write)> _entries = [];

    public GgufTestWriter String(string key, string value) => Add(key, w => { w.Write((uint)GgufValueType.String); WriteString(w, value); });

    public GgufTestWriter UInt32(string key, uint value) => Add(key, w => { w.Write((uint)GgufValueType.UInt32); w.Write(value); });

    public GgufTestWriter Bool(string key, bool value) => Add(key, w => { w.Write((uint)GgufValueType.Bool); w.Write(value); });

    public GgufTestWriter Strings(string key, IReadOnlyList<string> values) => Array(key, GgufValueType.String, values.Count, (w, i) => WriteString(w, values[i]));

    public GgufTestWriter Floats(string key, IReadOnlyList<float> values) => Array(key, GgufValueType.Float32, values.Count, (w, i) => w.Write(values[i]));

    public GgufTestWriter Int32s(string key, IReadOnlyList<int> values) => Array(key, GgufValueType.Int32, values.Count, (w, i) => w.Write(values[i]));

    /// <summary>Writes to a temporary file and opens it; the file is deleted when the returned handle is disposed.</summary>
    public TempGguf Open()
    {
        string path = Path.Combine(Path.GetTempPath(), $"edgellm-tok-{Guid.NewGuid():N}.gguf");
        using (var w = new BinaryWriter(File.Create(path)))
        {
            w.Write(0x46554747u);
            w.Write(3u);
            w.Write(0UL);
            w.Write((ulong)_entries.Count);
            foreach (var (key, write) in _entries)
            {
                WriteString(w, key);
                write(w);
            }
            while (w.BaseStream.Position % 32 != 0) w.Write((byte)0);
        }
        return new TempGguf(path);
    }

    private GgufTestWriter Array(string key, GgufValueType type, int count, Action<BinaryWriter, int> element) => Add(key, w =>
    {
        w.Write((uint)GgufValueType.Array);
        w.Write((uint)type);
        w.Write((ulong)count);
        for (int i = 0; i < count; i++) element(w, i);
    });

    private GgufTestWriter Add(string key, Action<BinaryWriter> write)
    {
        _entries.Add((key, write));
        return this;
    }

    private static void WriteString(BinaryWriter w, string s)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(s);
        w.Write((ulong)bytes.Length);
        w.Write(bytes);
    }
}

internal sealed class TempGguf(string path) : IDisposable
{
    public GgufFile File { get; } = GgufFile.Open(path);

    public void Dispose()
    {
        File.Dispose();
        System.IO.File.Delete(path);
    }
}
