using System.Runtime.Intrinsics;
using EdgeLlm.Core.Model.Ops;
using EdgeLlm.Core.Tensors;
using EdgeLlm.Core.Tensors.Generic;

namespace EdgeLlm.Core.Model;

/// <summary>Causal multi-head attention of a batch of queries over the KV cache, one (token, head) pair per item.</summary>
/// <remarks>
/// Follows llama.cpp's numerics: the query is converted to the cache type before the K dot product,
/// scores are scaled then soft-maxed, and the probabilities are converted to the cache type before
/// weighting the values. Each worker owns its scratch, so nothing is allocated per token.
/// </remarks>
internal sealed class AttentionJob : IParallelWork
{
    private readonly ModelConfig _config;
    private readonly KvCache _cache;
    private readonly float[][] _scores;
    private readonly byte[][] _queryInCacheType;
    private readonly float _scale;
    /// <summary>
    /// arm64 with an F16 cache: the query heads of a key/value head go together, 2-8 of them in vector lanes
    /// (<see cref="HalfRowsGroupLanes128"/>), a single one with its rows converted once per batch (<see cref="HalfRowsGrouped128"/>).
    /// </summary>
    private readonly bool _grouped;
    private readonly float[][] _groupScratch;
    private int _headsPerItem = 1;
    /// <summary>
    /// Prompt batches on the grouped path: every key and value row of the layer converted to floats once per batch (by
    /// <see cref="_conversion"/>, in <see cref="HalfRowsGrouped128"/>'s block layouts, key/value head after head), where
    /// each token would convert them again. Grown as the context grows; one layer at a time.
    /// </summary>
    private float[] _convertedKeys = [], _convertedValues = [];
    private int _convertedRows;
    private bool _useConverted;
    private readonly ConversionWork _conversion;

    private int _layer;
    private int _firstPosition;
    private float[] _queries = [];
    private float[] _output = [];

    /// <param name="grouped">Tests only: force the grouped path on or off (by default arm64's, where it is the fast one).</param>
    public AttentionJob(ModelConfig config, KvCache cache, int workers, bool? grouped = null)
    {
        _config = config;
        _cache = cache;
        _scale = 1.0f / MathF.Sqrt(config.HeadDim);
        _grouped = cache.ElementType == GgmlType.F16 && config.HeadDim % 16 == 0
            && (grouped ?? (!Vector256.IsHardwareAccelerated && Vector128.IsHardwareAccelerated));
        int scoreRows = _grouped ? Math.Max(config.GroupSize, HalfRowsGroupLanes128.MaxGroups) : 1;
        _conversion = new ConversionWork(this);
        _scores = new float[workers][];
        _queryInCacheType = new byte[workers][];
        _groupScratch = new float[workers][];
        for (int w = 0; w < workers; w++)
        {
            _scores[w] = new float[scoreRows * cache.ContextLength];
            _queryInCacheType[w] = new byte[config.HeadDim * cache.ElementBytes];
            if (_grouped) _groupScratch[w] = new float[config.GroupSize * config.HeadDim + HalfRowsGrouped128.ScratchFloats(config.HeadDim)];
        }
    }

    /// <summary>
    /// Query heads per work item on the grouped path: all of a key/value head's (at most
    /// <see cref="HalfRowsGroupLanes128.MaxGroups"/>), unless that leaves fewer than two items per worker (generation on a
    /// model with few key/value heads), then the largest divisor that does not.
    /// </summary>
    internal static int HeadsPerItem(int groupSize, int items, int workers)
    {
        for (int g = Math.Min(groupSize, HalfRowsGroupLanes128.MaxGroups); g > 1; g--)
            if (groupSize % g == 0 && (workers <= 1 || items / g >= 2 * workers)) return g;
        return 1;
    }

    /// <summary>Attends tokens at positions [firstPosition, firstPosition + tokens) of one layer; their K/V are already cached.</summary>
    public void Run(WorkerPool pool, int layer, int firstPosition, int tokens, float[] queries, float[] output)
    {
        _layer = layer;
        _firstPosition = firstPosition;
        _queries = queries;
        _output = output;
        _headsPerItem = _grouped ? HeadsPerItem(_config.GroupSize, tokens * _config.HeadCount, pool.ThreadCount) : 1;
        // Heads in lanes convert each row in registers for all of them; a single head reuses rows converted once per batch.
        _useConverted = _grouped && _headsPerItem == 1 && tokens > 1 && _config.SlidingWindow == 0;
        if (_useConverted)
        {
            _convertedRows = firstPosition + tokens;
            long floats = _config.KvHeadCount * HalfRowsGrouped128.ConvertedFloats(_convertedRows, _config.HeadDim);
            if (_convertedKeys.Length < floats)
            {
                // Doubling, up to the whole context (never below `floats`: the rows are within it): a handful of allocations
                // over a long conversation, none per token.
                long capacity = Math.Min(Math.Max(floats, 2L * _convertedKeys.Length),
                    _config.KvHeadCount * HalfRowsGrouped128.ConvertedFloats(_cache.ContextLength, _config.HeadDim));
                _convertedKeys = new float[capacity];
                _convertedValues = new float[capacity];
            }
            pool.Run(_conversion, _config.KvHeadCount * _conversion.BlocksPerHead, 1);
        }
        pool.Run(this, tokens * _config.HeadCount / _headsPerItem, 1);
    }

    public void Execute(int start, int end, int worker)
    {
        if (_grouped)
        {
            for (int item = start; item < end; item++) ExecuteGrouped(item, worker);
            return;
        }
        int headDim = _config.HeadDim;
        int queryDim = _config.QueryDim;
        int window = _config.SlidingWindow;
        int elementBytes = _cache.ElementBytes;
        int rowBytes = _cache.RowBytes;
        var queryConverted = _queryInCacheType[worker];

        for (int item = start; item < end; item++)
        {
            int t = item / _config.HeadCount;
            int head = item % _config.HeadCount;
            int position = _firstPosition + t;
            // Keys [first, position]: all earlier positions, or the last `window` of them with a sliding window.
            int first = window > 0 ? Math.Max(0, position + 1 - window) : 0;
            int visible = position + 1 - first;
            int kvHead = head / _config.GroupSize;
            int headOffset = kvHead * headDim * elementBytes;

            var query = _queries.AsSpan(t * queryDim + head * headDim, headDim);
            Quants.QuantizeRow(_cache.ElementType, query, queryConverted);

            var keys = _cache.Keys(_layer, position + 1)[(first * rowBytes)..];
            var scores = _scores[worker].AsSpan(0, visible);
            // All visible keys of this head at once: rows rowBytes apart, starting at the head's offset.
            Dot.StridedRows(_cache.ElementType, keys[headOffset..], rowBytes, visible, queryConverted, headDim, scores);
            VectorMath.Scale(scores, _scale);
            Softmax.InPlace(scores);

            var output = _output.AsSpan(t * queryDim + head * headDim, headDim);
            output.Clear();
            var values = _cache.Values(_layer, position + 1)[(first * rowBytes)..];
            if (_cache.ElementType == GgmlType.F16 && !Vector256.IsHardwareAccelerated && Vector128.IsHardwareAccelerated)
            {
                // arm64: all probabilities rounded to F16 at once, then every value row of the head in one pass.
                Fp16.RoundToHalfPrecision(scores, vector: true);
                AccumulateHalfValues(values[headOffset..], rowBytes, scores, output);
                continue;
            }
            for (int p = 0; p < visible; p++)
            {
                var value = values.Slice(p * rowBytes + headOffset, headDim * elementBytes);
                AccumulateScaled(output, value, scores[p]);
            }
        }
    }

    /// <summary>
    /// One token's <see cref="_headsPerItem"/> query heads of one key/value head (arm64, F16 cache): the same numbers as the
    /// per-head path, with each key and value row converted once for all of them.
    /// </summary>
    private unsafe void ExecuteGrouped(int item, int worker)
    {
        int headDim = _config.HeadDim, groups = _headsPerItem;
        int itemsPerToken = _config.HeadCount / groups;
        int t = item / itemsPerToken, firstHead = item % itemsPerToken * groups;
        int position = _firstPosition + t;
        int window = _config.SlidingWindow;
        int first = window > 0 ? Math.Max(0, position + 1 - window) : 0;
        int visible = position + 1 - first;
        int rowBytes = _cache.RowBytes;
        int headOffset = firstHead / _config.GroupSize * headDim * 2;
        int contextLength = _cache.ContextLength;

        float[] scratch = _groupScratch[worker];
        // The queries rounded to F16 as llama.cpp converts them, times 2¹¹² (see HalfRowsGrouped128).
        var queries = scratch.AsSpan(0, groups * headDim);
        _queries.AsSpan(t * _config.QueryDim + firstHead * headDim, groups * headDim).CopyTo(queries);
        Fp16.RoundToHalfPrecisionScaledUp(queries);

        float[] scores = _scores[worker];
        var keys = _cache.Keys(_layer, position + 1)[(first * rowBytes + headOffset)..];
        var values = _cache.Values(_layer, position + 1)[(first * rowBytes + headOffset)..];
        // Every row [r·rowBytes, r·rowBytes + 2·headDim) lies inside the spans the cache handed out.
        if ((long)(visible - 1) * rowBytes + 2 * headDim > Math.Min(keys.Length, values.Length)) throw new InvalidOperationException("KV rows out of range");
        var output = _output.AsSpan(t * _config.QueryDim + firstHead * headDim, groups * headDim);
        if (groups > 1)
        {
            HeadsInLanes(queries, keys, values, visible, rowBytes / 2, scores, scratch.AsSpan(groups * headDim), output);
            return;
        }
        output.Clear();
        fixed (byte* k = keys)
        fixed (byte* v = values)
        fixed (float* q = queries)
        fixed (float* s = scores)
        fixed (float* o = output)
        fixed (float* work = &scratch[groups * headDim])
        fixed (float* convertedKeys = _convertedKeys)
        fixed (float* convertedValues = _convertedValues)
        {
            long headFloats = HalfRowsGrouped128.ConvertedFloats(_convertedRows, headDim) * (firstHead / _config.GroupSize);
            if (_useConverted)
                HalfRowsGrouped128.KeyDots(convertedKeys + headFloats, visible, q, headDim, groups, headDim, s, contextLength);
            else
                HalfRowsGrouped128.KeyDots((ushort*)k, rowBytes / 2, visible, q, headDim, groups, headDim, s, contextLength, work);
            for (int g = 0; g < groups; g++)
            {
                Softmax.ToHalfProbabilitiesScaledUp(scores.AsSpan(g * contextLength, visible), _scale);
            }
            if (_useConverted)
                HalfRowsGrouped128.AccumulateValues(convertedValues + headFloats, visible, s, contextLength, groups, o, headDim, headDim);
            else
                HalfRowsGrouped128.AccumulateValues((ushort*)v, rowBytes / 2, visible, s, contextLength, groups, o, headDim, headDim, work);
        }
    }

    /// <summary>2-8 query heads of one key/value head in vector lanes (<see cref="HalfRowsGroupLanes128"/>), straight from the F16 rows.</summary>
    private unsafe void HeadsInLanes(Span<float> queries, ReadOnlySpan<byte> keys, ReadOnlySpan<byte> values, int visible, int stride,
        float[] scores, Span<float> work, Span<float> output)
    {
        int n = _config.HeadDim, groups = output.Length / n, lanes = HalfRowsGroupLanes128.Lanes(groups);
        fixed (byte* k = keys)
        fixed (byte* v = values)
        fixed (float* q = queries)
        fixed (float* s = scores)
        fixed (float* w = work)
        fixed (float* o = output)
        {
            // The work area holds the transposed queries, then the lanes' outputs (the spare lanes' dropped).
            HalfRowsGroupLanes128.TransposeQueries(q, n, groups, n, w);
            HalfRowsGroupLanes128.KeyDots((ushort*)k, stride, visible, w, lanes, n, s);
            Softmax.ToHalfProbabilitiesScaledUpInLanes(s, visible, lanes, _scale);
            HalfRowsGroupLanes128.AccumulateValues((ushort*)v, stride, visible, s, lanes, n, w);
            new ReadOnlySpan<float>(w, groups * n).CopyTo(output);
        }
    }

    /// <summary>Converts the layer's first <see cref="_convertedRows"/> key and value rows, one (key/value head, 16 rows) per item.</summary>
    private sealed class ConversionWork(AttentionJob job) : IParallelWork
    {
        public int BlocksPerHead => (job._convertedRows + HalfRowsGrouped128.ValueRows - 1) / HalfRowsGrouped128.ValueRows;

        public unsafe void Execute(int start, int end, int worker)
        {
            int n = job._config.HeadDim, rows = job._convertedRows, blocks = BlocksPerHead;
            int rowHalves = job._cache.RowBytes / 2;
            long headFloats = HalfRowsGrouped128.ConvertedFloats(rows, n);
            fixed (byte* keys = job._cache.Keys(job._layer, rows))
            fixed (byte* values = job._cache.Values(job._layer, rows))
            fixed (float* toKeys = job._convertedKeys)
            fixed (float* toValues = job._convertedValues)
                for (int item = start; item < end; item++)
                {
                    int head = item / blocks, r0 = item % blocks * HalfRowsGrouped128.ValueRows;
                    int count = Math.Min(HalfRowsGrouped128.ValueRows, rows - r0);
                    long source = (long)r0 * rowHalves + head * n, target = head * headFloats + (long)r0 * n;
                    HalfRowsGrouped128.ConvertKeys((ushort*)keys + source, rowHalves, count, n, toKeys + target);
                    HalfRowsGrouped128.ConvertValues((ushort*)values + source, rowHalves, count, n, toValues + target);
                }
        }
    }

    private static unsafe void AccumulateHalfValues(ReadOnlySpan<byte> values, int rowBytes, ReadOnlySpan<float> probabilities, Span<float> output)
    {
        // Every row [p·rowBytes, p·rowBytes + 2·headDim) lies inside the span the cache handed out.
        if ((long)(probabilities.Length - 1) * rowBytes + 2 * output.Length > values.Length) throw new ArgumentException("values too short", nameof(values));
        fixed (byte* v = values)
        fixed (float* p = probabilities)
        fixed (float* o = output)
            HalfRows128.AccumulateValues((ushort*)v, rowBytes / 2, probabilities.Length, p, o, output.Length);
    }

    /// <summary>output += round(p) · value, where round is the conversion to the cache type (products and sums in float, unfused, as ggml).</summary>
    private void AccumulateScaled(Span<float> output, ReadOnlySpan<byte> value, float probability) =>
        AccumulateScaled(_cache.ElementType, output, value, probability, Vector256.IsHardwareAccelerated ? 256 : Vector128.IsHardwareAccelerated ? 128 : 0);

    /// <summary>
    /// The kernel of <see cref="AccumulateScaled(Span{float}, ReadOnlySpan{byte}, float)"/> at a given vector width (256,
    /// 128, or 0 for scalar): arm64 takes the 128-bit form, where Vector256 would be emulated lane by lane. Tests run
    /// every width against the scalar one; all give the same bits (the same unfused multiply and add per element).
    /// </summary>
    internal static unsafe void AccumulateScaled(GgmlType type, Span<float> output, ReadOnlySpan<byte> value, float probability, int width)
    {
        int n = output.Length, d = 0;
        fixed (float* o = output)
        fixed (byte* v = value)
        {
            if (type == GgmlType.F16)
            {
                float p = Fp16.ToSingle(Fp16.FromSingle(probability));
                ushort* h = (ushort*)v;
                if (width == 256)
                {
                    var pv = Vector256.Create(p);
                    for (; d + 8 <= n; d += 8)
                        (Vector256.Load(o + d) + pv * Fp16.ToSingle(Vector128.Load(h + d))).Store(o + d);
                }
                else if (width == 128)
                {
                    var pv = Vector128.Create(p);
                    for (; d + 8 <= n; d += 8)
                    {
                        var halves = Vector128.Load(h + d);
                        (Vector128.Load(o + d) + pv * Fp16.ToSingleLower(halves)).Store(o + d);
                        (Vector128.Load(o + d + 4) + pv * Fp16.ToSingleUpper(halves)).Store(o + d + 4);
                    }
                }
                for (; d < n; d++) o[d] += p * Fp16.ToSingle(h[d]);
            }
            else
            {
                float* f = (float*)v;
                if (width == 256)
                {
                    var pv = Vector256.Create(probability);
                    for (; d + 8 <= n; d += 8)
                        (Vector256.Load(o + d) + pv * Vector256.Load(f + d)).Store(o + d);
                }
                else if (width == 128)
                {
                    var pv = Vector128.Create(probability);
                    for (; d + 4 <= n; d += 4)
                        (Vector128.Load(o + d) + pv * Vector128.Load(f + d)).Store(o + d);
                }
                for (; d < n; d++) o[d] += probability * f[d];
            }
        }
    }
}
