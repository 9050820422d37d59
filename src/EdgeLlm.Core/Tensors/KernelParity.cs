using System.Runtime.Intrinsics.X86;
using EdgeLlm.Core.Tensors.Formats;

namespace EdgeLlm.Core.Tensors;

/// <summary>
/// Self-checks for <c>edgellm selftest</c>: on fixed-seed random rows, the kernels this CPU dispatches to must agree with
/// the scalar reference. Meant to be run on each device, since the SIMD path chosen there may never have run elsewhere.
/// </summary>
public static class KernelParity
{
    /// <summary>Relative tolerance against Σ|wᵢ·aᵢ|: the integer sums are exact, so only float accumulation order differs.</summary>
    public const double RelativeTolerance = 1e-5;

    public static IEnumerable<(string Name, Action Check)> Checks()
    {
        // Every weight type of the table, so a new type's kernels are checked on each device without a list to extend here.
        var types = QuantTypes.All.Where(t => t.IsWeight).Select(t => t.Type).ToArray();
        foreach (var type in types)
        {
            string path = Dot.Name(Dot.Default(type));
            yield return ($"dot {type} x {Quants.ActivationType(type)} [{path}] == scalar", () => CheckDot(type));
        }
        foreach (var type in types)
            if (Dot.TileSupported(type, 4))
                yield return ($"tile {type} x {Quants.ActivationType(type)} [{Dot.Name(Dot.Default(type))}, rows x tokens] == scalar", () => CheckTile(type));
        foreach (var type in QuantTypes.All.Where(t => t.Interleaved != null).Select(t => t.Type))
        {
            string name = $"{type} x {Quants.ActivationType(type)} [{Dot.Name(InterleavedDot.Default(type))}";
            if (InterleavedDot.Supported(type))
                yield return ($"interleaved {name}, rows as lanes] == scalar", () => CheckInterleaved(InterleavedDot.Default(type), type));
            if (InterleavedDot.TileSupported(type, 4))
                yield return ($"interleaved tile {type} x {Quants.ActivationType(type)} [{Dot.Name(InterleavedDot.TilePath(type))}, groups x tokens] == scalar",
                    () => CheckInterleavedTile(type));
        }
        string q = Quants.QuantizePath;
        yield return ($"quantize Q8_0 [{q}] == scalar", () => CheckQuantize(GgmlType.Q8_0));
        yield return ($"quantize Q8_K [{q}] == scalar", () => CheckQuantize(GgmlType.Q8_K));
        foreach (var check in Model.Ops.OpsParity.Checks()) yield return check;
    }

    private static void CheckDot(GgmlType type)
    {
        var rng = new Random(1234 + (int)type);
        int block = GgmlTypeInfo.BlockSize(type) == 1 ? 32 : GgmlTypeInfo.BlockSize(type);
        // Q8_0 also saturated (see Saturate), the case where a kernel summing products in int16 would wrap.
        foreach (var (blocks, saturated) in type == GgmlType.Q8_0 ? new[] { (1, false), (3, false), (8, false), (5, true) } : new[] { (1, false), (3, false), (8, false) })
        {
            int n = blocks * block;
            const int rows = 7; // one pass of four plus a remainder of three
            var w = new List<byte>();
            for (int r = 0; r < rows; r++) w.AddRange(RandomBlocks.WeightRow(type, n, rng));
            byte[] weights = w.ToArray();
            byte[] act = RandomBlocks.ActivationRow(type, n, rng, out _);
            if (saturated) Saturate(type, weights, act);
            long rowBytes = GgmlTypeInfo.RowBytes(type, n);
            var results = new float[rows];
            Dot.Rows(type, weights, rows, act, n, results);
            for (int r = 0; r < rows; r++)
            {
                var row = weights.AsSpan((int)(r * rowBytes), (int)rowBytes);
                float expected = ScalarDot.Row(type, row, act, n);
                float single = Dot.Row(type, row, act, n);
                double bound = RelativeTolerance * Magnitude(type, row, act, n) + 1e-30;
                if (Math.Abs(results[r] - expected) > bound || Math.Abs(single - expected) > bound)
                    throw new InvalidOperationException(
                        $"{type} n={n} row {r}: Rows gave {results[r]:R}, Row gave {single:R}, scalar {expected:R} (allowed ±{bound:G3})");
            }
        }
    }

    /// <summary>The matrix × matrix kernel on uneven shapes (rows not a multiple of the tile, a partial token group, several strips).</summary>
    internal static void CheckTile(GgmlType type)
    {
        var rng = new Random(4321 + (int)type);
        foreach (var (rows, tokens, blocks) in new[] { (8, 4, 1), (13, 5, 3), (24, 7, 17), (16, 9, 40) })
        {
            int n = blocks * GgmlTypeInfo.BlockSize(type);
            byte[] w = RandomWeights(type, n, rows, rng);
            byte[] act = RandomActivations(type, n, tokens, rng, out int actBytes);
            // Q8_0 (the arm64 tile) also saturated once, where int16 partial sums would wrap.
            bool saturated = type == GgmlType.Q8_0 && blocks == 3;
            if (saturated) Saturate(type, w, act);
            var aux = new float[Dot.TileAuxLength(type, tokens, n)];
            Dot.TilePrepare(type, act, actBytes, tokens, n, aux);
            int stride = rows + 3;
            var results = new float[stride * tokens];
            Dot.Tile(type, w, rows, act, actBytes, tokens, n, aux, results, stride, new byte[Dot.TileScratchBytes]);
            CheckResults($"tile {type} rows={rows} tokens={tokens}{(saturated ? " saturated" : "")}", type, n, w, rows, act, tokens, results, stride);
        }
    }

    /// <summary>
    /// An interleaved kernel against the scalar dot of the original rows: odd and even group counts (up to a pass of four
    /// groups plus two plus one), one block and many,
    /// and scales at the edges of fp16 (zero, subnormal, negative, the largest finite) where the kernels' exact scale
    /// conversion could go wrong.
    /// </summary>
    internal static void CheckInterleaved(KernelPath path, GgmlType type)
    {
        var rng = new Random(777);
        ushort[] edgeScales = [0x0000, 0x0001, 0x03FF, 0x0400, 0x8001, 0xBC00, 0x7BFF, 0xFBFF, 0x3C00];
        int block = GgmlTypeInfo.BlockSize(type), blockBytes = (int)GgmlTypeInfo.RowBytes(type, block);
        foreach (var (groups, blocks) in type == GgmlType.Q4_0 ? new[] { (1, 1), (2, 3), (3, 8), (5, 40), (7, 2) } : new[] { (1, 1), (2, 2), (3, 5), (5, 2) })
        {
            int rows = groups * InterleavedDot.GroupRows, n = blocks * block;
            byte[] w = RandomWeights(type, n, rows, rng);
            int dOffset = type switch
            {
                GgmlType.Q4_0 => BlockQ4_0.D,
                GgmlType.Q4_K => BlockQ4_K.D,
                GgmlType.Q6_K => BlockQ6_K.D,
                _ => throw new NotSupportedException($"no edge-scale placement for interleaved {type}"),
            };
            for (int i = 0; i < rows * blocks; i += 3) // every third block gets an edge scale (Q4_K: d, and dmin in the next)
            {
                BitConverter.TryWriteBytes(w.AsSpan(i * blockBytes + dOffset, 2), edgeScales[rng.Next(edgeScales.Length)]);
                if (type == GgmlType.Q4_K && i + 1 < rows * blocks)
                    BitConverter.TryWriteBytes(w.AsSpan((i + 1) * blockBytes + 2, 2), edgeScales[rng.Next(edgeScales.Length)]);
            }
            byte[] interleaved = InterleavedDot.Interleave(type, w, rows, n);
            foreach (ushort activationScale in new ushort[] { 0x2E66, 0x7BFF, 0x0001 })
            {
                byte[] act = RandomBlocks.ActivationRow(type, n, rng, out _);
                if (type == GgmlType.Q4_0) BitConverter.TryWriteBytes(act.AsSpan(0, 2), activationScale); // Q8_K's d is a float32
                var results = new float[rows];
                InterleavedDot.RowsWith(path, type, interleaved, groups, act, n, results);
                CheckResults($"interleaved {type} [{Dot.Name(path)}] groups={groups}", type, n, w, rows, act, 1, results, rows);
            }
        }
        {
            int rows = 2 * InterleavedDot.GroupRows, n = 2 * Math.Max(block, 256);
            byte[] w = RandomWeights(type, n, rows, rng), act = RandomActivations(type, n, 1, rng, out _);
            Saturate(type, w, act);
            var results = new float[rows];
            InterleavedDot.RowsWith(path, type, InterleavedDot.Interleave(type, w, rows, n), 2, act, n, results);
            CheckResults($"interleaved {type} [{Dot.Name(path)}] saturated", type, n, w, rows, act, 1, results, rows);
        }
    }

    /// <summary>The interleaved groups × tokens kernel: token counts with and without a remainder of the four-token pass; one case saturated.</summary>
    internal static void CheckInterleavedTile(GgmlType type)
    {
        var rng = new Random(4711);
        foreach (var (groups, tokens, blocks) in type == GgmlType.Q4_0 ? new[] { (1, 4, 1), (3, 5, 3), (2, 9, 17), (4, 7, 40) } : new[] { (1, 4, 1), (3, 5, 2), (2, 9, 3) })
        {
            int rows = groups * InterleavedDot.GroupRows, n = blocks * GgmlTypeInfo.BlockSize(type);
            byte[] w = RandomWeights(type, n, rows, rng);
            byte[] act = RandomActivations(type, n, tokens, rng, out int actBytes);
            if (blocks == 3) Saturate(type, w, act);
            byte[] interleaved = InterleavedDot.Interleave(type, w, rows, n);
            var aux = new float[InterleavedDot.TileAuxLength(type, tokens, n)];
            InterleavedDot.TilePrepare(type, act, actBytes, tokens, n, aux);
            int stride = rows + 5;
            var results = new float[stride * tokens];
            InterleavedDot.Tile(type, interleaved, groups, act, actBytes, tokens, n, aux, results, stride);
            CheckResults($"interleaved tile {type} groups={groups} tokens={tokens}{(blocks == 3 ? " saturated" : "")}", type, n, w, rows, act, tokens, results, stride);
        }
    }

    /// <summary>
    /// Every weight quant at its largest code and every activation quant at −128: the largest partial sums the kernels
    /// can form, where an int16 running sum (AVX2's <c>Partial</c>) chained one step too far would wrap.
    /// </summary>
    internal static void Saturate(GgmlType type, byte[] weights, byte[] activations)
    {
        (int blockBytes, int first, int count) = type switch
        {
            GgmlType.Q4_0 => (BlockQ4_0.Bytes, BlockQ4_0.Qs, 16),
            GgmlType.Q4_K => (BlockQ4_K.Bytes, BlockQ4_K.Qs, 128),
            GgmlType.Q6_K => (BlockQ6_K.Bytes, BlockQ6_K.Ql, BlockQ6_K.Scales), // ql then qh
            GgmlType.Q8_0 => (BlockQ8_0.Bytes, BlockQ8_0.Qs, 32),
            _ => throw new ArgumentOutOfRangeException(nameof(type)),
        };
        // Q8_0 weights at −128 (0x80) times activations at −127 (0x81): the largest products a quantized activation can make
        // (the quantizers round to at most ±127; the x64 kernels' sign trick relies on that), 16,256 each, what an int16
        // sum of two or more would wrap.
        for (int b = 0; b < weights.Length; b += blockBytes) weights.AsSpan(b + first, count).Fill(type == GgmlType.Q8_0 ? (byte)0x80 : (byte)0xFF);
        if (type == GgmlType.Q8_0)
            for (int b = 0; b < activations.Length; b += BlockQ8_0.Bytes) activations.AsSpan(b + BlockQ8_0.Qs, 32).Fill(0x81);
        else if (type == GgmlType.Q4_0)
            for (int b = 0; b < activations.Length; b += BlockQ8_0.Bytes) activations.AsSpan(b + BlockQ8_0.Qs, 32).Fill(0x80);
        else
            for (int b = 0; b < activations.Length; b += BlockQ8_K.Bytes)
            {
                activations.AsSpan(b + BlockQ8_K.Qs, 256).Fill(0x80);
                for (int g = 0; g < 16; g++) BitConverter.TryWriteBytes(activations.AsSpan(b + BlockQ8_K.BSums + 2 * g, 2), (short)(16 * -128));
            }
    }

    internal static byte[] RandomWeights(GgmlType type, int n, int rows, Random rng)
    {
        long rowBytes = GgmlTypeInfo.RowBytes(type, n);
        var w = new byte[rowBytes * rows];
        for (int r = 0; r < rows; r++) RandomBlocks.WeightRow(type, n, rng).CopyTo(w, r * rowBytes);
        return w;
    }

    internal static byte[] RandomActivations(GgmlType type, int n, int tokens, Random rng, out int rowBytes)
    {
        rowBytes = (int)GgmlTypeInfo.RowBytes(Quants.ActivationType(type), n);
        var act = new byte[rowBytes * tokens];
        for (int t = 0; t < tokens; t++) RandomBlocks.ActivationRow(type, n, rng, out _).CopyTo(act, t * rowBytes);
        return act;
    }

    /// <summary>results[t·stride + r] against the scalar dot of weight row r with activation row t, within the float-order tolerance.</summary>
    internal static void CheckResults(string what, GgmlType type, int n, byte[] weights, int rows, byte[] activations, int tokens, float[] results, int stride)
    {
        int rowBytes = (int)GgmlTypeInfo.RowBytes(type, n), actBytes = activations.Length / tokens;
        for (int t = 0; t < tokens; t++)
            for (int r = 0; r < rows; r++)
            {
                var row = weights.AsSpan(r * rowBytes, rowBytes);
                var a = activations.AsSpan(t * actBytes, actBytes);
                float expected = ScalarDot.Row(type, row, a, n);
                double bound = RelativeTolerance * Magnitude(type, row, a, n) + 1e-30;
                if (!(Math.Abs(results[t * stride + r] - expected) <= bound))
                    throw new InvalidOperationException($"{what} n={n}: row {r} token {t} gave {results[t * stride + r]:R}, scalar {expected:R} (allowed ±{bound:G3})");
            }
    }

    private static void CheckQuantize(GgmlType type)
    {
        var rng = new Random(99);
        int n = 8 * GgmlTypeInfo.BlockSize(type);
        float[] x = RandomBlocks.TieFloats(n, GgmlTypeInfo.BlockSize(type), rng);
        var fast = new byte[GgmlTypeInfo.RowBytes(type, n)];
        var reference = new byte[fast.Length];
        Quants.QuantizeRow(type, x, fast);
        Quants.QuantizeRowScalar(type, x, reference);
        int at = fast.AsSpan().CommonPrefixLength(reference);
        if (at != fast.Length)
            throw new InvalidOperationException($"quantize {type}: SIMD and scalar differ first at byte {at} ({fast[at]} vs {reference[at]})");
    }

    /// <summary>Σ|wᵢ·aᵢ| over the dequantized rows: the scale of float rounding in any summation order.</summary>
    internal static double Magnitude(GgmlType type, ReadOnlySpan<byte> weightRow, ReadOnlySpan<byte> activationRow, int n)
    {
        var w = new float[n];
        var a = new float[n];
        Quants.DequantizeRow(type, weightRow, w);
        Quants.DequantizeRow(Quants.ActivationType(type), activationRow, a);
        double m = 0;
        for (int i = 0; i < n; i++) m += Math.Abs((double)w[i] * a[i]);
        return m;
    }
}
