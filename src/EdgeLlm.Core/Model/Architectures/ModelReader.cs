using EdgeLlm.Core.Gguf;
using EdgeLlm.Core.Tensors;

namespace EdgeLlm.Core.Model.Architectures;

/// <summary>
/// An architecture's view of a GGUF file: metadata under the architecture's key prefix and tensors by name, each
/// validated as it is read, and each remembered. <see cref="RefuseUnread"/> then turns anything the architecture did
/// not read into an error: a key or tensor it does not know may change the math, and ignoring it would give
/// plausible but wrong logits (a Llama 3 file's <c>rope_freqs</c> once did exactly that).
/// </summary>
public sealed class ModelReader
{
    private readonly HashSet<string> _readKeys = [];
    private readonly HashSet<string> _readTensors = [];

    public ModelReader(GgufFile file, string architecture)
    {
        File = file;
        Architecture = architecture;
    }

    public GgufFile File { get; }
    public string Architecture { get; }

    private string Key(string key) => $"{Architecture}.{key}";

    public bool Has(string key) => File.Contains(Key(key));

    /// <summary>An integer key in [min, max]; <paramref name="fallback"/> when absent (required when null).</summary>
    public int Int(string key, int min, int max, int? fallback = null)
    {
        string full = Key(key);
        _readKeys.Add(full);
        if (!File.Contains(full) && fallback is int f) return f;
        long v = File.GetInt64(full);
        if (v < min || v > max) throw new GgufException($"metadata '{full}' = {v} is outside the supported range {min}..{max}");
        return (int)v;
    }

    /// <summary>A positive finite number; <paramref name="fallback"/> when absent.</summary>
    public float PositiveFloat(string key, float fallback)
    {
        string full = Key(key);
        _readKeys.Add(full);
        float v = File.GetFloat32(full, fallback);
        if (!(v > 0) || !float.IsFinite(v)) throw new GgufException($"metadata '{full}' = {v} is invalid: it must be a positive number");
        return v;
    }

    public string? String(string key)
    {
        string full = Key(key);
        _readKeys.Add(full);
        return File.Find(full) is { } v ? v.AsString() ?? throw new GgufException($"metadata '{full}' must be a string") : null;
    }

    /// <summary>
    /// Marks keys as understood without their value mattering to the math (e.g. <c>vocab_size</c>, checked elsewhere,
    /// or a key that only matters with a scaling type the architecture already refused).
    /// </summary>
    public void Acknowledge(params string[] keys)
    {
        foreach (var k in keys) _readKeys.Add(Key(k));
    }

    /// <summary>A key that must be absent or equal to <paramref name="harmless"/>; any other value is refused by name.</summary>
    public void RequireAbsentOr(string key, long harmless, string what)
    {
        string full = Key(key);
        _readKeys.Add(full);
        if (File.TryGetInteger(full, out long v) && v != harmless)
            throw new GgufException($"metadata '{full}' = {v}: {what} is not supported");
        if (File.Contains(full) && !File.TryGetInteger(full, out _))
            throw new GgufException($"metadata '{full}' must be an integer");
    }

    public bool HasTensor(string name) => File.FindTensor(name) is not null;

    /// <summary>A [columns, rows] matrix, viewed in place in the mapping.</summary>
    public WeightMatrix Matrix(string name, int columns, int rows)
    {
        _readTensors.Add(name);
        return WeightMatrix.Load(File, name, columns, rows);
    }

    /// <summary>A 1-D tensor of any float or quantized type, copied to floats (norm weights and biases are tiny).</summary>
    public float[] Vector(string name, int length)
    {
        _readTensors.Add(name);
        var t = File.GetTensor(name);
        if (t.ElementCount != length || t.Dimensions.Length != 1 && t.RowCount != 1)
            throw new GgufException($"tensor '{name}' has shape {t.ShapeText}, expected [{length}]");
        var result = new float[length];
        Quants.DequantizeRow(t.Type, File.TensorBytes(t), result);
        foreach (float x in result)
            if (!float.IsFinite(x)) throw new GgufException($"tensor '{name}' holds a value that is not a finite number");
        return result;
    }

    public float[]? OptionalVector(string name, int length) => HasTensor(name) ? Vector(name, length) : null;

    /// <summary>
    /// Refuses every tensor the architecture did not load and every key under its prefix it did not read, naming them.
    /// </summary>
    public void RefuseUnread()
    {
        var tensors = File.Tensors.Select(t => t.Name).Where(n => !_readTensors.Contains(n)).ToList();
        if (tensors.Count > 0)
            throw new GgufException(
                $"tensor '{tensors[0]}'{More(tensors.Count)} is not part of architecture '{Architecture}' as EdgeLlm implements it; " +
                "refusing the file rather than ignoring weights that change the result");
        string prefix = Architecture + ".";
        var keys = File.MetadataInFileOrder.Select(kv => kv.Key).Where(k => k.StartsWith(prefix, StringComparison.Ordinal) && !_readKeys.Contains(k)).ToList();
        if (keys.Count > 0)
            throw new GgufException(
                $"metadata '{keys[0]}'{More(keys.Count)} is not implemented for architecture '{Architecture}'; " +
                "refusing the file rather than ignoring a setting that may change the result");
    }

    private static string More(int count) => count > 1 ? $" (and {count - 1} more)" : "";
}
