using EdgeLlm.Core.Tensors;

namespace EdgeLlm.Core.Model;

/// <summary>
/// Y[t, r] = W[r] · X[t] for a batch of activation rows already converted to W's activation type, for up to three matrices
/// that share the same input (Q/K/V, gate/up) in one pool dispatch.
/// </summary>
/// <remarks>
/// Work is split by weight rows into contiguous claims (multiples of 8 rows; the pool starts with a quarter of the matrix
/// per claim with two threads and shrinks them), so each thread streams long runs of consecutive memory and the hardware
/// prefetcher stays ahead, while the small last claims keep threads finishing together. Each claim is read from memory
/// once and applied to every token of the batch while it is in cache: a batch
/// goes through a tiled rows × tokens kernel where the matrix's type and layout have one (<see cref="InterleavedDot.TileSupported"/>,
/// <see cref="Dot.TileSupported"/>), chosen per matrix so a job mixing Q4_K and Q6_K keeps the tile for its Q4_K matrices.
/// </remarks>
internal sealed unsafe class MatMulJob : IParallelWork
{
    private const int MaxMatrices = 3;

    private readonly WeightMatrix[] _weights = new WeightMatrix[MaxMatrices];
    private readonly float[][] _outputs = new float[MaxMatrices][];
    private readonly int[] _firstItem = new int[MaxMatrices + 1];
    private readonly byte[][] _tileScratch;
    private int _matrices;
    private byte[] _activations = [];
    private int _activationRowBytes;
    private int _tokens;
    // Per matrix of the job: which batch kernel it uses and the per-batch activation terms that kernel reads. Matrices of
    // one type share one array (the terms depend only on the type and the activations); each array grows to the largest
    // batch once, then is reused.
    private readonly float[][] _auxStorage = [[], [], []];
    private readonly float[][] _aux = new float[MaxMatrices][];
    private readonly BatchKernel[] _batchKernel = new BatchKernel[MaxMatrices];

    private enum BatchKernel { PerToken, RowTile, InterleavedTile }

    public MatMulJob(int workers)
    {
        _tileScratch = new byte[workers][];
        for (int i = 0; i < workers; i++) _tileScratch[i] = new byte[Dot.TileScratchBytes];
    }

    public void Run(WorkerPool pool, in WeightMatrix weights, byte[] activations, int activationRowBytes, int tokens, float[] output)
    {
        _weights[0] = weights;
        _outputs[0] = output;
        RunCore(pool, 1, activations, activationRowBytes, tokens);
    }

    /// <summary>Two or three matrices with the same columns and activation type, applied to the same activations.</summary>
    public void Run(WorkerPool pool, in WeightMatrix a, float[] outA, in WeightMatrix b, float[] outB, byte[] activations, int activationRowBytes, int tokens)
    {
        _weights[0] = a; _outputs[0] = outA;
        _weights[1] = b; _outputs[1] = outB;
        RunCore(pool, 2, activations, activationRowBytes, tokens);
    }

    public void Run(WorkerPool pool, in WeightMatrix a, float[] outA, in WeightMatrix b, float[] outB, in WeightMatrix c, float[] outC,
        byte[] activations, int activationRowBytes, int tokens)
    {
        _weights[0] = a; _outputs[0] = outA;
        _weights[1] = b; _outputs[1] = outB;
        _weights[2] = c; _outputs[2] = outC;
        RunCore(pool, 3, activations, activationRowBytes, tokens);
    }

    private void RunCore(WorkerPool pool, int matrices, byte[] activations, int activationRowBytes, int tokens)
    {
        _matrices = matrices;
        _activations = activations;
        _activationRowBytes = activationRowBytes;
        _tokens = tokens;
        int total = 0;
        for (int m = 0; m < matrices; m++)
        {
            _firstItem[m] = total;
            total += _weights[m].Rows;
        }
        _firstItem[matrices] = total;
        for (int m = 0; m < matrices; m++)
        {
            ref readonly WeightMatrix w = ref _weights[m];
            _batchKernel[m] = tokens <= 1 ? BatchKernel.PerToken
                : w.IsInterleaved && InterleavedDot.TileSupported(w.Type, tokens) ? BatchKernel.InterleavedTile
                : !w.IsInterleaved && Dot.TileSupported(w.Type, tokens) ? BatchKernel.RowTile
                : BatchKernel.PerToken;
            if (_batchKernel[m] != BatchKernel.PerToken) _aux[m] = PrepareAux(m, activations, activationRowBytes, tokens);
        }
        pool.Run(this, total, ChunkRows(total, pool.ThreadCount));
    }

    /// <summary>The batch terms of matrix m: those of an earlier matrix of the job with the same type and kernel, else new.</summary>
    private float[] PrepareAux(int m, byte[] activations, int activationRowBytes, int tokens)
    {
        ref readonly WeightMatrix w = ref _weights[m];
        for (int k = 0; k < m; k++)
            if (_batchKernel[k] == _batchKernel[m] && _weights[k].Type == w.Type) return _aux[k];
        bool interleaved = _batchKernel[m] == BatchKernel.InterleavedTile;
        int need = interleaved ? InterleavedDot.TileAuxLength(w.Type, tokens, w.Columns) : Dot.TileAuxLength(w.Type, tokens, w.Columns);
        if (_auxStorage[m].Length < need) _auxStorage[m] = new float[need];
        if (interleaved) InterleavedDot.TilePrepare(w.Type, activations, activationRowBytes, tokens, w.Columns, _auxStorage[m]);
        else Dot.TilePrepare(w.Type, activations, activationRowBytes, tokens, w.Columns, _auxStorage[m]);
        return _auxStorage[m];
    }

    /// <summary>The pool's smallest claim: about 1/32 of a thread's share, a multiple of 8 rows, at least 16 rows.</summary>
    internal static int ChunkRows(int rows, int threads)
    {
        if (threads <= 1) return rows;
        int chunk = rows / (threads * 32);
        chunk = (chunk + 7) & ~7;
        return Math.Max(16, chunk);
    }

    public void Execute(int start, int end, int worker)
    {
        // A chunk may straddle two matrices: split it at the boundary.
        for (int m = 0; m < _matrices && start < end; m++)
        {
            int first = _firstItem[m], last = _firstItem[m + 1];
            if (start >= last) continue;
            int s = start - first, e = Math.Min(end, last) - first;
            ExecuteMatrix(m, s, e, worker);
            start = first + e;
        }
    }

    private void ExecuteMatrix(int m, int start, int end, int worker)
    {
        ref readonly WeightMatrix w = ref _weights[m];
        int count = end - start;
        float[] output = _outputs[m];
        int stride = w.Rows;
        if (w.IsInterleaved)
        {
            // Chunks are whole groups whenever the matrices before this one in the job are; an odd edge goes row-major.
            const int G = InterleavedDot.GroupRows;
            int first = (start + G - 1) / G * G, last = Math.Max(first, end / G * G);
            RowMajor(w, start, Math.Min(first, end), output, stride);
            if (last > first)
            {
                int groups = (last - first) / G;
                var span = w.GroupSpan(first / G, groups);
                if (_batchKernel[m] == BatchKernel.InterleavedTile)
                    InterleavedDot.Tile(w.Type, span, groups, _activations, _activationRowBytes, _tokens, w.Columns, _aux[m], output.AsSpan(first), stride);
                else
                    for (int t = 0; t < _tokens; t++)
                        InterleavedDot.Rows(w.Type, span, groups, _activations.AsSpan(t * _activationRowBytes, _activationRowBytes), w.Columns,
                            output.AsSpan(t * stride + first, last - first));
            }
            RowMajor(w, Math.Max(first, last), end, output, stride);
            return;
        }
        if (_batchKernel[m] == BatchKernel.RowTile)
        {
            Dot.Tile(w.Type, w.RowSpan(start, count), count, _activations, _activationRowBytes, _tokens, w.Columns, _aux[m],
                output.AsSpan(start), stride, _tileScratch[worker]);
            return;
        }
        RowMajor(w, start, end, output, stride);
    }

    private void RowMajor(in WeightMatrix w, int start, int end, float[] output, int stride)
    {
        if (end <= start) return;
        var rows = w.RowSpan(start, end - start);
        for (int t = 0; t < _tokens; t++)
        {
            var activation = _activations.AsSpan(t * _activationRowBytes, _activationRowBytes);
            Dot.Rows(w.Type, rows, end - start, activation, w.Columns, output.AsSpan(t * stride + start, end - start));
        }
    }
}
