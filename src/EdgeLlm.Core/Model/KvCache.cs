using EdgeLlm.Core.Tensors;

namespace EdgeLlm.Core.Model;

/// <summary>Keys and values of every past position, per layer, laid out [position][kvHead·headDim].</summary>
/// <remarks>
/// Stored in the ggml element type (F16 or F32) so that attention can use the same dot kernels as the
/// weights, and so that rounding to F16 happens exactly where llama.cpp rounds.
/// </remarks>
public sealed class KvCache
{
    private readonly byte[][] _keys;
    private readonly byte[][] _values;

    public KvCache(ModelConfig config, int contextLength, KvCacheType type)
    {
        ContextLength = contextLength;
        ElementType = type == KvCacheType.F16 ? GgmlType.F16 : GgmlType.F32;
        ElementBytes = type == KvCacheType.F16 ? 2 : 4;
        KvDim = config.KvDim;
        RowBytes = KvDim * ElementBytes;
        _keys = new byte[config.LayerCount][];
        _values = new byte[config.LayerCount][];
        for (int l = 0; l < config.LayerCount; l++)
        {
            _keys[l] = new byte[(long)contextLength * RowBytes];
            _values[l] = new byte[(long)contextLength * RowBytes];
        }
    }

    public int ContextLength { get; }
    public GgmlType ElementType { get; }
    public int ElementBytes { get; }
    public int KvDim { get; }
    public int RowBytes { get; }

    public long TotalBytes => 2L * _keys.Length * ContextLength * RowBytes;

    public int LayerCount => _keys.Length;

    /// <summary>Bytes one position takes over all layers, keys and values: the size of a prompt cache slot per token.</summary>
    public long BytesPerPosition => 2L * _keys.Length * RowBytes;

    /// <summary>
    /// Copies positions [0, count) of every layer into <paramref name="destination"/> (layer by layer, keys then values),
    /// the layout of a prompt cache slot: restoring it with <see cref="Restore"/> gives back the very same bytes.
    /// </summary>
    public void Snapshot(int count, Span<byte> destination)
    {
        long rows = (long)count * RowBytes;
        if (count < 0 || count > ContextLength || destination.Length < rows * 2 * _keys.Length)
            throw new ArgumentOutOfRangeException(nameof(count), $"cannot snapshot {count} positions into {destination.Length} bytes");
        int offset = 0;
        for (int l = 0; l < _keys.Length; l++)
        {
            Keys(l, count).CopyTo(destination[offset..]);
            offset += (int)rows;
            Values(l, count).CopyTo(destination[offset..]);
            offset += (int)rows;
        }
    }

    /// <summary>Writes positions [0, count) of every layer from a <see cref="Snapshot"/> of at least that many positions.</summary>
    /// <param name="snapshotPositions">How many positions the snapshot holds (its layers are that many rows apart).</param>
    public void Restore(ReadOnlySpan<byte> snapshot, int snapshotPositions, int count)
    {
        if (count < 0 || count > snapshotPositions || snapshotPositions > ContextLength || snapshot.Length < (long)snapshotPositions * BytesPerPosition)
            throw new ArgumentOutOfRangeException(nameof(count), $"cannot restore {count} of {snapshotPositions} positions from {snapshot.Length} bytes");
        int stride = snapshotPositions * RowBytes, rows = count * RowBytes;
        for (int l = 0; l < _keys.Length; l++)
        {
            snapshot.Slice(2 * l * stride, rows).CopyTo(_keys[l]);
            snapshot.Slice((2 * l + 1) * stride, rows).CopyTo(_values[l]);
        }
    }

    /// <summary>Bytes of a layer's keys for positions [0, count): row p starts at p·RowBytes.</summary>
    public Span<byte> Keys(int layer, int count) => _keys[layer].AsSpan(0, count * RowBytes);

    public Span<byte> Values(int layer, int count) => _values[layer].AsSpan(0, count * RowBytes);

    /// <summary>Stores one position's key and value (F32 in, converted to the cache type).</summary>
    public void Store(int layer, int position, ReadOnlySpan<float> key, ReadOnlySpan<float> value)
    {
        Quants.QuantizeRow(ElementType, key, _keys[layer].AsSpan(position * RowBytes, RowBytes));
        Quants.QuantizeRow(ElementType, value, _values[layer].AsSpan(position * RowBytes, RowBytes));
    }
}
