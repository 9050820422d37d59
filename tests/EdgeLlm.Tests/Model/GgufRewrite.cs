using EdgeLlm.Core.Gguf;
using EdgeLlm.Core.Tensors;

namespace EdgeLlm.Tests.Model;

/// <summary>Copies a GGUF file with keys and tensors added, for tests of what a loader must refuse.</summary>
internal static class GgufRewrite
{
    /// <param name="extraTensors">(name, type, dims) filled with zero bytes (any type with a block size of one element, or F32).</param>
    public static void Copy(string source, string destination, Action<GgufWriter>? addKeys = null, params (string Name, GgmlType Type, long[] Dims)[] extraTensors)
    {
        using var file = GgufFile.Open(source);
        var writer = new GgufWriter();
        foreach (var (key, value) in file.MetadataInFileOrder)
        {
            if (key == "general.alignment") continue;
            _ = value.Type switch
            {
                GgufValueType.String => writer.Add(key, value.AsString()!),
                GgufValueType.Float32 or GgufValueType.Float64 => writer.Add(key, (float)value.AsDouble()!.Value),
                GgufValueType.Bool => writer.Add(key, value.AsBool()!.Value),
                GgufValueType.Array when value.ElementType == GgufValueType.String => writer.Add(key, value.AsArray<string>()!),
                GgufValueType.Array when value.ElementType == GgufValueType.Float32 => writer.Add(key, value.AsFloatArray()!),
                GgufValueType.Array => writer.Add(key, value.AsInt64Array()!.Select(v => (int)v).ToArray()),
                _ => writer.Add(key, (uint)value.AsInt64()!.Value),
            };
        }
        addKeys?.Invoke(writer);
        foreach (var t in file.Tensors) writer.AddTensor(t.Name, t.Type, t.Dimensions);
        foreach (var (name, type, dims) in extraTensors) writer.AddTensor(name, type, dims);
        using var output = File.Create(destination);
        writer.WriteTo(output, (index, stream) =>
        {
            if (index < file.Tensors.Count) stream.Write(file.TensorBytes(file.Tensors[index]));
            else stream.Write(new byte[GgufWriter.ByteSize(writer.Tensors[index].Type, writer.Tensors[index].Dims)]);
        });
    }
}
