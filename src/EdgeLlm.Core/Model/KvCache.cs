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
