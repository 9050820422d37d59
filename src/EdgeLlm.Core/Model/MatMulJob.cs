using EdgeLlm.Core.Tensors;

namespace EdgeLlm.Core.Model;

/// <summary>
/// Y[t, r] = W[r] · X[t] for a batch of activation rows already converted to W's activation type, for up to three matrices
/// that share the same input (Q/K/V, gate/up) in one pool dispatch.
/// </summary>
/// <remarks>
/// Work is split by weight rows into contiguous chunks (a few per thread, multiples of 8 rows), so each thread streams long
/// runs of consecutive memory and the hardware prefetcher stays ahead; the dynamic chunk counter still balances uneven
/// threads. Each chunk is read from memory once and applied to every token of the batch while it is in cache: a batch
/// goes through the tiled rows × tokens kernel where there is one (<see cref="Dot.TileSupported"/>).
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
    private float[] _tileAux = [];
    private bool _tiled, _interleavedTiled;

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
        var w0 = _weights[0];
        bool sameType = true, anyInterleaved = w0.IsInterleaved;
        for (int m = 1; m < matrices; m++)
        {
            sameType &= _weights[m].Type == w0.Type;
            anyInterleaved |= _weights[m].IsInterleaved;
        }
        _tiled = tokens > 1 && sameType && Dot.TileSupported(w0.Type, tokens);
        _interleavedTiled = tokens > 1 && sameType && anyInterleaved && InterleavedDot.TileSupported(w0.Type, tokens);
        if (_interleavedTiled)
        {
            // For Q4_0 these are the row-major tile's terms too, so both kinds of matrix in the job can use them.
            int need = InterleavedDot.TileAuxLength(w0.Type, tokens, w0.Columns);
            if (_tileAux.Length < need) _tileAux = new float[need];
            InterleavedDot.TilePrepare(w0.Type, activations, activationRowBytes, tokens, w0.Columns, _tileAux);
        }
        else if (_tiled)
        {
            int need = Dot.TileAuxLength(w0.Type, tokens, w0.Columns);
            if (_tileAux.Length < need) _tileAux = new float[need]; // grows to the largest batch once, then reused
            Dot.TilePrepare(w0.Type, activations, activationRowBytes, tokens, w0.Columns, _tileAux);
        }
        pool.Run(this, total, ChunkRows(total, pool.ThreadCount));
    }

    /// <summary>About eight chunks per thread, a multiple of 8 rows, at least 16 rows.</summary>
    internal static int ChunkRows(int rows, int threads)
    {
        if (threads <= 1) return rows;
        int chunk = rows / (threads * 8);
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
                if (_interleavedTiled)
                    InterleavedDot.Tile(w.Type, span, groups, _activations, _activationRowBytes, _tokens, w.Columns, _tileAux, output.AsSpan(first), stride);
                else
                    for (int t = 0; t < _tokens; t++)
                        InterleavedDot.Rows(w.Type, span, groups, _activations.AsSpan(t * _activationRowBytes, _activationRowBytes), w.Columns,
                            output.AsSpan(t * stride + first, last - first));
            }
            RowMajor(w, Math.Max(first, last), end, output, stride);
            return;
        }
        if (_tiled)
        {
            Dot.Tile(w.Type, w.RowSpan(start, count), count, _activations, _activationRowBytes, _tokens, w.Columns, _tileAux,
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
