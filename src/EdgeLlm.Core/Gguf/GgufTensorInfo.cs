using EdgeLlm.Core.Tensors;

namespace EdgeLlm.Core.Gguf;

/// <summary>A tensor's description from the GGUF header. Offsets are relative to the start of the data section.</summary>
/// <param name="Dimensions">ggml order: Dimensions[0] is the contiguous (row) length.</param>
public sealed record GgufTensorInfo(string Name, GgmlType Type, long[] Dimensions, long Offset, long ByteSize)
{
    public long ElementCount
    {
        get
        {
            long n = 1;
            foreach (long d in Dimensions) n *= d;
            return n;
        }
    }

    /// <summary>Elements per row (the first ggml dimension).</summary>
    public long RowLength => Dimensions[0];

    /// <summary>Number of rows: the product of all dimensions but the first.</summary>
    public long RowCount => ElementCount / Dimensions[0];

    public string ShapeText => "[" + string.Join(", ", Dimensions) + "]";
}
