using EdgeLlm.Core.Gguf;
using EdgeLlm.Core.Tensors;

namespace EdgeLlm.Core.Model;

/// <summary>A 2-D weight tensor inside the mapped model: <see cref="Rows"/> output rows of <see cref="Columns"/> inputs each.</summary>
/// <remarks>Holds a raw pointer into the mapping: no copy, the page cache is the only copy of the weights.</remarks>
public readonly unsafe struct WeightMatrix
{
    public WeightMatrix(GgufFile file, GgufTensorInfo tensor)
    {
        Name = tensor.Name;
        Type = tensor.Type;
        Columns = checked((int)tensor.Dimensions[0]);
        Rows = checked((int)tensor.RowCount);
        RowBytes = checked((int)GgmlTypeInfo.RowBytes(Type, Columns));
        Data = file.TensorPointer(tensor);
    }

    /// <summary>The GGUF tensor this matrix is (part of).</summary>
    public string Name { get; }

    /// <summary>First row of this matrix in its tensor: 0, or the offset of a view into a fused tensor (<see cref="Slice"/>).</summary>
    public int FirstRow { get; private init; }
    public GgmlType Type { get; }
    public int Columns { get; }
    public int Rows { get; private init; }
    public int RowBytes { get; }
    public byte* Data { get; private init; }

    /// <summary>
    /// The same matrix in groups of <see cref="InterleavedDot.GroupRows"/> rows (<see cref="InterleavedDot"/>), from the
    /// model's interleaved weight cache; null when the matrix is only row-major.
    /// </summary>
    public byte* Interleaved { get; init; }

    public bool IsInterleaved => Interleaved != null;

    /// <summary>Bytes of <paramref name="groupCount"/> interleaved groups from group <paramref name="firstGroup"/>.</summary>
    public ReadOnlySpan<byte> GroupSpan(int firstGroup, int groupCount)
    {
        long groupBytes = InterleavedDot.GroupBytes(Type, Columns);
        return new(Interleaved + firstGroup * groupBytes, checked((int)(groupCount * groupBytes)));
    }

    /// <summary>The type the activations must be converted to before a dot product with this matrix.</summary>
    public GgmlType ActivationType => Quants.ActivationType(Type);

    public ReadOnlySpan<byte> RowSpan(int row, int count = 1) => new(Data + (long)row * RowBytes, RowBytes * count);

    /// <summary>
    /// Rows [first, first + count) as a matrix of their own: a view, as for the Q, K and V parts of a fused QKV tensor.
    /// </summary>
    public WeightMatrix Slice(int first, int count)
    {
        if (first < 0 || count <= 0 || first + count > Rows) throw new ArgumentOutOfRangeException(nameof(count), $"rows {first}..{first + count - 1} are outside '{Name}'");
        if (Interleaved != null) throw new InvalidOperationException("slice before attaching interleaved groups");
        return this with { Data = Data + (long)first * RowBytes, Rows = count, FirstRow = FirstRow + first };
    }

    /// <summary>Loads a named matrix and checks its shape is [columns, rows].</summary>
    public static WeightMatrix Load(GgufFile file, string name, int columns, int rows)
    {
        var t = file.GetTensor(name);
        if (t.Dimensions.Length != 2 || t.Dimensions[0] != columns || t.Dimensions[1] != rows)
            throw new GgufException($"tensor '{name}' has shape {t.ShapeText}, expected [{columns}, {rows}]");
        if (t.Type is GgmlType.Q8_1 or GgmlType.Q8_K)
            throw new GgufException($"tensor '{name}' has type {GgmlTypeInfo.Name(t.Type)}, an activation-only format that cannot be used as a weight matrix");
        return new WeightMatrix(file, t);
    }
}
