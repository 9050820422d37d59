using EdgeLlm.Core.Tensors;

namespace EdgeLlm.Core.Model;

/// <summary>Y[t, r] = W[r] · X[t] for a batch of activation rows already converted to W's activation type.</summary>
/// <remarks>
/// Work is split by weight rows; each chunk of rows is read from memory once and applied to every
/// token of the batch while it is still in cache.
/// </remarks>
internal sealed class MatMulJob : IParallelWork
{
    private const int RowsPerChunk = 16;

    private WeightMatrix _weights;
    private byte[] _activations = [];
    private int _activationRowBytes;
    private int _tokens;
    private float[] _output = [];
    private int _outputStride;

    public void Run(WorkerPool pool, in WeightMatrix weights, byte[] activations, int activationRowBytes, int tokens, float[] output, int outputStride)
    {
        _weights = weights;
        _activations = activations;
        _activationRowBytes = activationRowBytes;
        _tokens = tokens;
        _output = output;
        _outputStride = outputStride;
        pool.Run(this, weights.Rows, RowsPerChunk);
    }

    public void Execute(int start, int end, int worker)
    {
        int count = end - start;
        var rows = _weights.RowSpan(start, count);
        for (int t = 0; t < _tokens; t++)
        {
            var activation = _activations.AsSpan(t * _activationRowBytes, _activationRowBytes);
            Dot.Rows(_weights.Type, rows, count, activation, _weights.Columns, _output.AsSpan(t * _outputStride + start, count));
        }
    }
}
