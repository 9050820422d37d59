namespace EdgeLlm.Core.Tensors;

/// <summary>One row of <see cref="QuantTypes"/>: everything the engine knows about one ggml type.</summary>
internal sealed unsafe class QuantType(GgmlType type, int blockElements, int blockBytes)
{
    public GgmlType Type { get; } = type;

    /// <summary>Elements per block (1 for the plain float types).</summary>
    public int BlockElements { get; } = blockElements;

    /// <summary>Bytes per block.</summary>
    public int BlockBytes { get; } = blockBytes;

    /// <summary>
    /// What activations are quantized to for a dot product with this weight type (ggml's vec_dot_type); null for the
    /// activation-only types (Q8_1, Q8_K), which are never weights.
    /// </summary>
    public GgmlType? Activation { get; init; }

    /// <summary>The reference dot of one row with one <see cref="Activation"/> row (<see cref="Tensors.ScalarDot"/>); set exactly when <see cref="Activation"/> is.</summary>
    public delegate*<ReadOnlySpan<byte>, ReadOnlySpan<byte>, int, float> ScalarDot { get; init; }

    /// <summary>
    /// Block formats expand one block at a time, as ggml's dequantize_row_* loop does; the plain float types, whose block is
    /// one element, convert a whole row instead (<see cref="DequantizeRun"/>) so a row is not a call per element. A row sets one.
    /// </summary>
    public delegate*<ReadOnlySpan<byte>, Span<float>, void> DequantizeBlock { get; init; }

    /// <summary>Expands every element of the destination from the whole blocks at the start of the source; see <see cref="DequantizeBlock"/>.</summary>
    public delegate*<ReadOnlySpan<byte>, Span<float>, void> DequantizeRun { get; init; }

    /// <summary>The scalar quantizer of one block, for the activation types (Q8_0, Q8_1, Q8_K); the float types set <see cref="QuantizeRun"/>.</summary>
    public delegate*<ReadOnlySpan<float>, Span<byte>, void> QuantizeBlock { get; init; }

    /// <summary>The scalar quantizer of a whole row, for the plain float types.</summary>
    public delegate*<ReadOnlySpan<float>, Span<byte>, void> QuantizeRun { get; init; }

    /// <summary>Row quantizers bit-identical to the scalar one but faster, by path.</summary>
    public KernelsByPath<QuantizeKernel> Quantize { get; init; } = new();

    /// <summary>Matrix × vector on row-major weights, by path (<see cref="KernelPath.Scalar"/> is <see cref="ScalarDot"/> per row, not listed here).</summary>
    public KernelsByPath<RowsKernel> Rows { get; init; } = new();

    /// <summary>Matrix × matrix on row-major weights for prompt batches, by path.</summary>
    public KernelsByPath<RowTileKernel> Tile { get; init; } = new();

    /// <summary>The rows-as-lanes layout of the interleaved weight cache and its kernels; null when the type has none.</summary>
    public InterleavedFormat? Interleaved { get; init; }

    /// <summary>Whether the type can be the weights of a dot product (has an activation type and a reference dot).</summary>
    public bool IsWeight => Activation != null;

    /// <summary>Whether rows can be quantized to this type (it is some weight type's activation type, or a plain float).</summary>
    public bool IsActivation => QuantizeBlock != null || QuantizeRun != null;

    public override string ToString() => Type.ToString();
}

/// <summary>One kernel per <see cref="KernelPath"/> at most; a path without an entry has no kernel for the type.</summary>
/// <remarks>Filled by the table's initializers at start-up; <see cref="Preferred"/> is settled then, once, not per call.</remarks>
internal sealed class KernelsByPath<T> where T : struct
{
    private readonly T?[] _byPath = new T?[KernelPaths.Count];

    public T? this[KernelPath path]
    {
        get => _byPath[(int)path];
        init
        {
            _byPath[(int)path] = value;
            Preferred = null;
            foreach (var p in KernelPaths.Preference)
                if (CanRun(p)) { Preferred = p; break; }
        }
    }

    /// <summary>The first path of <see cref="KernelPaths.Preference"/> with a kernel here that this CPU runs; null if none.</summary>
    public KernelPath? Preferred { get; private set; }

    /// <summary>Whether there is a kernel for <paramref name="path"/> and this CPU runs it.</summary>
    public bool CanRun(KernelPath path) => _byPath[(int)path].HasValue && KernelPaths.IsSupported(path);

    /// <summary>The paths with a kernel, whether or not this CPU runs them (tests).</summary>
    public IEnumerable<KernelPath> Listed => Enum.GetValues<KernelPath>().Where(p => _byPath[(int)p].HasValue);
}

/// <summary>results[r] = weight row r (rows rowBytes apart) · the activation row, for r in [0, rows).</summary>
internal readonly unsafe struct RowsKernel(delegate*<byte*, nint, int, byte*, int, float*, void> run)
{
    public void Run(byte* w, nint rowBytes, int rows, byte* a, int n, float* results) => run(w, rowBytes, rows, a, n, results);
}

/// <summary>A float row quantized to the type; the same bytes as the scalar quantizer.</summary>
internal readonly unsafe struct QuantizeKernel(delegate*<ReadOnlySpan<float>, Span<byte>, void> run)
{
    public void Run(ReadOnlySpan<float> src, Span<byte> dst) => run(src, dst);
}

/// <summary>
/// A prompt-batch kernel's per-batch activation terms: <see cref="Prepare"/> writes <see cref="AuxPerBlock"/> floats per
/// token and block, computed once and read for every row.
/// </summary>
internal readonly unsafe struct TileActivationTerms(delegate*<byte*, nint, int, int, float*, void> prepare, int auxPerBlock)
{
    public int AuxPerBlock { get; } = auxPerBlock;

    public int AuxLength(int tokens, int blocks) => tokens * blocks * AuxPerBlock;

    public void Prepare(byte* act, nint stride, int tokens, int n, float* aux) => prepare(act, stride, tokens, n, aux);
}

/// <summary>Row-major rows × tokens: output[t·outStride + r] = row r · token t, for whole tiles of <see cref="Dot.TileRows"/> rows.</summary>
internal readonly unsafe struct RowTileKernel(
    delegate*<byte*, nint, int, int, float*, void> prepare, int auxPerBlock,
    delegate*<byte*, nint, int, byte*, nint, int, int, float*, float*, nint, byte*, void> run)
{
    public TileActivationTerms Terms { get; } = new(prepare, auxPerBlock);

    public void Run(byte* w, nint rowBytes, int rows, byte* act, nint stride, int tokens, int n, float* aux, float* output, nint outStride, byte* scratch) =>
        run(w, rowBytes, rows, act, stride, tokens, n, aux, output, outStride, scratch);
}

/// <summary>results[8g + r] = row r of group g · the activation row, for groupCount consecutive groups.</summary>
internal readonly unsafe struct GroupRowsKernel(delegate*<byte*, int, byte*, int, float*, void> run)
{
    public void Run(byte* groups, int groupCount, byte* a, int n, float* results) => run(groups, groupCount, a, n, results);
}

/// <summary>Groups × tokens: output[t·outStride + 8g + r] = row r of group g · token t.</summary>
internal readonly unsafe struct GroupTileKernel(
    delegate*<byte*, nint, int, int, float*, void> prepare, int auxPerBlock,
    delegate*<byte*, int, byte*, nint, int, int, float*, float*, nint, void> run)
{
    public TileActivationTerms Terms { get; } = new(prepare, auxPerBlock);

    public void Run(byte* groups, int groupCount, byte* act, nint stride, int tokens, int n, float* aux, float* output, nint outStride) =>
        run(groups, groupCount, act, stride, tokens, n, aux, output, outStride);
}

/// <summary>
/// A type's rows-as-lanes layout (<see cref="InterleavedDot.GroupRows"/> rows per group): how big a group is, how rows are
/// regrouped, how its scales are checked, and the kernels that read it.
/// </summary>
internal sealed unsafe class InterleavedFormat(
    delegate*<int, long> groupBytes,
    delegate*<byte*, nint, int, byte*, void> interleave,
    delegate*<byte*, long, bool> scalesFinite)
{
    /// <summary>Bytes of one group of rows of n columns.</summary>
    public long GroupBytes(int n) => groupBytes(n);

    /// <summary>Regroups <see cref="InterleavedDot.GroupRows"/> rows (rowBytes apart) of <paramref name="blocks"/> blocks into one group.</summary>
    public void Interleave(byte* rows, nint rowBytes, int blocks, byte* group) => interleave(rows, rowBytes, blocks, group);

    /// <summary>Whether every block scale in <paramref name="blocks"/> row-major blocks is finite (the kernels' fp16 conversion covers no inf or NaN).</summary>
    public bool ScalesFinite(byte* data, long blocks) => scalesFinite(data, blocks);

    public KernelsByPath<GroupRowsKernel> Rows { get; init; } = new();

    public KernelsByPath<GroupTileKernel> Tile { get; init; } = new();
}
