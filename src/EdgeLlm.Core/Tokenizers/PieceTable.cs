namespace EdgeLlm.Core.Tokenizers;

/// <summary>Every token's decoded bytes, packed: token i is <c>Bytes[Offsets[i]..Offsets[i+1]]</c>.</summary>
internal readonly record struct PieceTable(byte[] Bytes, int[] Offsets)
{
    public static PieceTable Build(int count, Action<int, List<byte>> render)
    {
        var bytes = new List<byte>(count * 6);
        var offsets = new int[count + 1];
        for (int id = 0; id < count; id++)
        {
            render(id, bytes);
            offsets[id + 1] = bytes.Count;
        }
        return new PieceTable([.. bytes], offsets);
    }
}
