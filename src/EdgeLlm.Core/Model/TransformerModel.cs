using EdgeLlm.Core.Gguf;
using EdgeLlm.Core.Model.Ops;
using EdgeLlm.Core.Tensors;

namespace EdgeLlm.Core.Model;

/// <summary>Options fixed when a model is loaded.</summary>
public sealed record ModelOptions
{
    /// <summary>Context length; 0 means the model's trained context.</summary>
    public int ContextLength { get; init; }
    public KvCacheType KvType { get; init; } = KvCacheType.F16;
    /// <summary>Worker threads including the caller; <see cref="AutoThreads"/> (0) measures the fastest count at load (<see cref="ThreadCountProbe"/>).</summary>
    public int Threads { get; init; } = WorkerPool.DefaultThreadCount;

    public const int AutoThreads = 0;

    /// <summary>Prompt tokens processed per forward step; bounds the scratch memory of prompt processing.</summary>
    public int MaxBatch { get; init; } = 32;

    /// <summary>
    /// Directory of the interleaved weight cache (<see cref="InterleavedWeightCache"/>), built there on first use; null
    /// runs on the row-major matrices only. Ignored when this CPU has no interleaved kernel.
    /// </summary>
    public string? InterleavedCacheDirectory { get; init; }

    /// <summary>Progress and fallbacks while loading (building the interleaved cache), for the console or the log.</summary>
    public Action<string>? Log { get; init; }
}

/// <summary>
/// The decoder-only transformer of every supported architecture: token embedding, N blocks of (RMSNorm, rotary
/// multi-head attention with grouped KV heads, RMSNorm, SwiGLU feed-forward), final RMSNorm and the vocabulary
/// projection. The block variants (Q/K/V biases, per-head Q/K norms, NeoX pairs, rope frequency factors, a sliding
/// window) are data in <see cref="ModelConfig"/> and <see cref="LayerWeights"/>, set by the file's
/// <see cref="Architectures.ModelArchitecture"/>.
/// </summary>
/// <remarks>
/// One instance owns one KV cache and one set of scratch buffers: it serves one sequence at a time.
/// All buffers are allocated here, once; <see cref="Forward"/> allocates nothing.
/// </remarks>
public sealed class TransformerModel : IDisposable
{
    private readonly WorkerPool _pool;
    private readonly MatMulJob _matMul;
    private readonly AttentionJob _attention;
    private readonly Rope _rope;
    private readonly int _maxBatch;

    // Scratch, [batch][width] row-major.
    private readonly float[] _residual, _normed, _q, _k, _v, _attn, _projected, _gate, _up;
    private readonly float[] _ropeScratch;
    private readonly float[] _logits;
    private readonly byte[] _activations;

    /// <summary>Loads the model in <paramref name="file"/>, whatever its architecture: the one way a model is made.</summary>
    /// <exception cref="GgufException">The architecture, a hyperparameter or a tensor is unsupported or malformed.</exception>
    public static TransformerModel Load(GgufFile file, ModelOptions? options = null)
    {
        var (config, weights) = Architectures.ModelArchitectures.Load(file);
        return new TransformerModel(file, config, weights, options ?? new ModelOptions());
    }

    private TransformerModel(GgufFile file, ModelConfig config, ModelWeights weights, ModelOptions options)
    {
        File = file;
        Config = config;
        Weights = weights;
        if (options.InterleavedCacheDirectory is { } cacheDirectory)
        {
            InterleavedCache = OpenInterleaved(file, Weights, cacheDirectory, options.Log);
            if (InterleavedCache is { } cache)
                Weights = Weights.With(m => Attach(cache, m));
        }
        int context = options.ContextLength > 0 ? options.ContextLength : Config.TrainedContextLength;
        if (context < 1) throw new ArgumentOutOfRangeException(nameof(options), "context length must be positive");
        Cache = new KvCache(Config, context, options.KvType);
        int threads = options.Threads == ModelOptions.AutoThreads
            ? ThreadCountProbe.Pick(Weights, WorkerPool.DefaultThreadCount, options.Log)
            : Math.Max(1, options.Threads);
        _pool = new WorkerPool(threads);
        _matMul = new MatMulJob(_pool.ThreadCount);
        _attention = new AttentionJob(Config, Cache, _pool.ThreadCount);
        _rope = new Rope(Config.Rope);
        _maxBatch = Math.Max(1, options.MaxBatch);

        var c = Config;
        _residual = new float[_maxBatch * c.EmbeddingLength];
        _normed = new float[_maxBatch * c.EmbeddingLength];
        _q = new float[_maxBatch * c.QueryDim];
        _k = new float[_maxBatch * c.KvDim];
        _v = new float[_maxBatch * c.KvDim];
        _attn = new float[_maxBatch * c.QueryDim];
        _projected = new float[_maxBatch * c.EmbeddingLength];
        _gate = new float[_maxBatch * c.FeedForwardLength];
        _up = new float[_maxBatch * c.FeedForwardLength];
        _ropeScratch = new float[_maxBatch * _rope.AnglesLength];
        _logits = new float[_maxBatch * c.VocabSize];
        _activations = new byte[_maxBatch * MaxActivationRowBytes(Weights)];
    }

    public GgufFile File { get; }
    public ModelConfig Config { get; }
    public ModelWeights Weights { get; }
    public KvCache Cache { get; }

    /// <summary>The interleaved copies of the matrices generation reads, when enabled and usable.</summary>
    public InterleavedWeightCache? InterleavedCache { get; }
    public int ContextLength => Cache.ContextLength;

    /// <summary>
    /// Prompt tokens per forward batch. The prompt cache evaluates prompts in chunks of this size at fixed absolute
    /// positions, so that a position's keys and values never depend on where an earlier request stopped (see
    /// <see cref="Generation.PromptChunks"/>).
    /// </summary>
    public int PromptChunk => _maxBatch;
    public int Threads => _pool.ThreadCount;

    /// <summary>
    /// Feeds <paramref name="tokens"/> at positions [startPosition, startPosition + n) and writes logits:
    /// for every token (n × vocab floats) when <paramref name="allLogits"/>, else for the last one only.
    /// </summary>
    /// <remarks>Positions from startPosition on are overwritten in the KV cache; earlier ones are reused.</remarks>
    public void Forward(ReadOnlySpan<int> tokens, int startPosition, Span<float> logits, bool allLogits = false)
    {
        int n = tokens.Length;
        int vocab = Config.VocabSize;
        if (n == 0) throw new ArgumentException("no tokens to process", nameof(tokens));
        if (startPosition < 0 || startPosition + n > ContextLength)
            throw new ArgumentOutOfRangeException(nameof(tokens), $"positions {startPosition}..{startPosition + n - 1} exceed the context of {ContextLength} tokens");
        if (logits.Length < (allLogits ? (long)n * vocab : vocab))
            throw new ArgumentException("logits buffer too small", nameof(logits));
        foreach (int t in tokens)
            if ((uint)t >= (uint)vocab) throw new ArgumentOutOfRangeException(nameof(tokens), $"token id {t} is outside the vocabulary (size {vocab})");

        for (int done = 0; done < n; done += _maxBatch)
        {
            int batch = Math.Min(_maxBatch, n - done);
            bool last = done + batch == n;
            ForwardBatch(tokens.Slice(done, batch), startPosition + done);
            if (allLogits)
                ComputeLogits(0, batch, logits.Slice(done * vocab, batch * vocab));
            else if (last)
                ComputeLogits(batch - 1, 1, logits[..vocab]);
        }
    }

    private void ForwardBatch(ReadOnlySpan<int> tokens, int position)
    {
        var c = Config;
        int n = tokens.Length, embd = c.EmbeddingLength;
        for (int t = 0; t < n; t++)
            Quants.DequantizeRow(Weights.TokenEmbedding.Type, Weights.TokenEmbedding.RowSpan(tokens[t]), _residual.AsSpan(t * embd, embd));

        int dims = _rope.AnglesLength;
        for (int t = 0; t < n; t++) _rope.Angles(position + t, _ropeScratch.AsSpan(t * dims, dims));

        for (int l = 0; l < c.LayerCount; l++)
        {
            var layer = Weights.Layers[l];

            NormalizeRows(_residual, layer.AttentionNorm, n);
            MatMul(layer.Query, _q, layer.Key, _k, layer.Value, _v, _normed, n);
            int qDim = c.QueryDim, kvDim = c.KvDim;
            for (int t = 0; t < n; t++)
            {
                var q = _q.AsSpan(t * qDim, qDim);
                var k = _k.AsSpan(t * kvDim, kvDim);
                var v = _v.AsSpan(t * kvDim, kvDim);
                if (layer.QueryBias is { } qb) VectorMath.AddInPlace(q, qb);
                if (layer.KeyBias is { } kb) VectorMath.AddInPlace(k, kb);
                if (layer.ValueBias is { } vb) VectorMath.AddInPlace(v, vb);
                if (layer.QueryNorm is { } qn) NormalizeHeads(q, qn);
                if (layer.KeyNorm is { } kn) NormalizeHeads(k, kn);
                var angles = _ropeScratch.AsSpan(t * dims, dims);
                _rope.Rotate(q, c.HeadCount, c.HeadDim, angles);
                _rope.Rotate(k, c.KvHeadCount, c.HeadDim, angles);
                Cache.Store(l, position + t, k, v);
            }
            _attention.Run(_pool, l, position, n, _q, _attn);
            MatMul(layer.Output, _attn, n, _projected);
            VectorMath.AddInPlace(_residual.AsSpan(0, n * embd), _projected.AsSpan(0, n * embd));

            NormalizeRows(_residual, layer.FeedForwardNorm, n);
            MatMul(layer.Gate, _gate, layer.Up, _up, _normed, n);
            int ff = c.FeedForwardLength;
            SwiGlu.Apply(_gate.AsSpan(0, n * ff), _up.AsSpan(0, n * ff));
            MatMul(layer.Down, _gate, n, _projected);
            VectorMath.AddInPlace(_residual.AsSpan(0, n * embd), _projected.AsSpan(0, n * embd));
        }
    }

    private void ComputeLogits(int firstRow, int rows, Span<float> logits)
    {
        int embd = Config.EmbeddingLength, vocab = Config.VocabSize;
        for (int r = 0; r < rows; r++)
            RmsNorm.Apply(_residual.AsSpan((firstRow + r) * embd, embd), Weights.OutputNorm, Config.RmsEpsilon, _normed.AsSpan(r * embd, embd));
        MatMul(Weights.Output, _normed, rows, _logits);
        _logits.AsSpan(0, rows * vocab).CopyTo(logits);
    }

    /// <summary>RMSNorm of each head of <paramref name="heads"/> in place, with one weight vector of head size (Qwen3).</summary>
    private void NormalizeHeads(Span<float> heads, float[] weight)
    {
        int headDim = Config.HeadDim;
        for (int h = 0; h < heads.Length; h += headDim)
        {
            var head = heads.Slice(h, headDim);
            RmsNorm.Apply(head, weight, Config.RmsEpsilon, head);
        }
    }

    private void NormalizeRows(float[] source, float[] weight, int rows)
    {
        int embd = Config.EmbeddingLength;
        for (int t = 0; t < rows; t++)
            RmsNorm.Apply(source.AsSpan(t * embd, embd), weight, Config.RmsEpsilon, _normed.AsSpan(t * embd, embd));
    }

    private void MatMul(in WeightMatrix w, float[] input, int rows, float[] output)
    {
        int actBytes = ActivationRowBytes(w);
        for (int t = 0; t < rows; t++)
            Quants.QuantizeRow(w.ActivationType, input.AsSpan(t * w.Columns, w.Columns), _activations.AsSpan(t * actBytes, actBytes));
        _matMul.Run(_pool, w, _activations, actBytes, rows, output);
    }

    /// <summary>Q, K and V (or gate and up) in one dispatch when they take the same activations; else one by one.</summary>
    private void MatMul(in WeightMatrix a, float[] outA, in WeightMatrix b, float[] outB, float[] input, int rows)
    {
        if (a.ActivationType != b.ActivationType || a.Columns != b.Columns)
        {
            MatMul(a, input, rows, outA);
            MatMul(b, input, rows, outB);
            return;
        }
        int actBytes = QuantizeInput(a, input, rows);
        _matMul.Run(_pool, a, outA, b, outB, _activations, actBytes, rows);
    }

    private void MatMul(in WeightMatrix a, float[] outA, in WeightMatrix b, float[] outB, in WeightMatrix c, float[] outC, float[] input, int rows)
    {
        if (a.ActivationType != b.ActivationType || a.ActivationType != c.ActivationType || a.Columns != b.Columns || a.Columns != c.Columns)
        {
            MatMul(a, input, rows, outA);
            MatMul(b, outB, c, outC, input, rows);
            return;
        }
        int actBytes = QuantizeInput(a, input, rows);
        _matMul.Run(_pool, a, outA, b, outB, c, outC, _activations, actBytes, rows);
    }

    private int QuantizeInput(in WeightMatrix w, float[] input, int rows)
    {
        int actBytes = ActivationRowBytes(w);
        for (int t = 0; t < rows; t++)
            Quants.QuantizeRow(w.ActivationType, input.AsSpan(t * w.Columns, w.Columns), _activations.AsSpan(t * actBytes, actBytes));
        return actBytes;
    }

    private static int ActivationRowBytes(in WeightMatrix w) => (int)GgmlTypeInfo.RowBytes(w.ActivationType, w.Columns);

    private static int MaxActivationRowBytes(ModelWeights weights)
    {
        int max = Math.Max(ActivationRowBytes(weights.Output), ActivationRowBytes(weights.TokenEmbedding));
        foreach (var m in weights.Matrices)
            max = Math.Max(max, ActivationRowBytes(m));
        return max;
    }

    /// <summary>
    /// The mapped bytes forward passes read, page-aligned: the whole model file, or with the interleaved cache that file
    /// and the parts of the model file it does not replace (header, embedding, norms, row-major matrices). Prefetch and
    /// mlock cover these, so the replaced matrices are never read into RAM twice.
    /// </summary>
    public unsafe IReadOnlyList<(nint Start, long Length)> MappedRanges()
    {
        const long Page = 4096;
        nint fileBase = (nint)File.BasePointer;
        if (InterleavedCache is not { } cache) return [(fileBase, File.FileLength)];
        var ranges = new List<(nint, long)> { ((nint)cache.BasePointer, cache.Length) };
        // A tensor is replaced when every matrix viewing it (all parts of a fused one) reads the interleaved copy.
        var replaced = Weights.Matrices.GroupBy(m => m.Name)
            .Where(g => g.Key != Weights.TokenEmbedding.Name && g.All(m => m.IsInterleaved)).Select(g => g.Key).ToHashSet();
        long position = 0;
        foreach (var t in File.Tensors.Where(t => replaced.Contains(t.Name)).OrderBy(t => t.Offset))
        {
            // Only whole pages inside a replaced tensor are left out: a page it shares with its neighbours is still read.
            long start = (File.DataOffset + t.Offset + Page - 1) / Page * Page, end = (File.DataOffset + t.Offset + t.ByteSize) / Page * Page;
            if (end <= start) continue;
            if (start > position) ranges.Add((fileBase + (nint)position, start - position));
            position = Math.Max(position, end);
        }
        if (position < File.FileLength) ranges.Add((fileBase + (nint)position, File.FileLength - position));
        return ranges;
    }

    private static InterleavedWeightCache? OpenInterleaved(GgufFile file, ModelWeights weights, string directory, Action<string>? log)
    {
        var tensors = weights.Matrices.Select(m => m.Name).Distinct().Select(file.GetTensor)
            .Where(t => InterleavedDot.Supported(t.Type) && InterleavedDot.Fits(t.Type, checked((int)t.RowCount), checked((int)t.Dimensions[0])))
            .ToList();
        return tensors.Count == 0 ? null : InterleavedWeightCache.OpenOrBuild(file, tensors, directory, log);
    }

    /// <summary>Points <paramref name="m"/> at its interleaved groups; a view into a fused tensor starts at its own group.</summary>
    private static unsafe WeightMatrix Attach(InterleavedWeightCache cache, WeightMatrix m)
    {
        byte* groups = cache.Find(m.Name);
        if (groups == null || m.FirstRow % InterleavedDot.GroupRows != 0 || !InterleavedDot.Fits(m.Type, m.Rows, m.Columns)) return m;
        return m with { Interleaved = groups + m.FirstRow / InterleavedDot.GroupRows * InterleavedDot.GroupBytes(m.Type, m.Columns) };
    }

    public void Dispose()
    {
        _pool.Dispose();
        InterleavedCache?.Dispose();
    }
}
