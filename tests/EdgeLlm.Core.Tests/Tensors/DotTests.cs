using EdgeLlm.Core.Tensors;

namespace EdgeLlm.Core.Tests.Tensors;

/// <summary>
/// Every kernel path against <see cref="ScalarDot"/>. Integer block sums are exact in every path, so differences come only
/// from float accumulation order; the bound is <see cref="KernelParity.RelativeTolerance"/> (1e-5) × Σ|wᵢ·aᵢ|.
/// </summary>
public class DotTests
{
    internal static readonly GgmlType[] WeightTypes =
    [
        GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q8_0,
        GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K,
    ];

    // Paths travel as names: KernelPath is internal and test method signatures are public.
    public static TheoryData<GgmlType, string> RunnablePaths()
    {
        var data = new TheoryData<GgmlType, string>();
        foreach (var t in WeightTypes)
            foreach (var p in Enum.GetValues<KernelPath>())
                if (Dot.CanRun(p, t)) data.Add(t, p.ToString());
        return data;
    }

    public static TheoryData<GgmlType> AllWeightTypes()
    {
        var data = new TheoryData<GgmlType>();
        foreach (var t in WeightTypes) data.Add(t);
        return data;
    }

    internal static void AssertClose(GgmlType type, ReadOnlySpan<byte> weightRow, ReadOnlySpan<byte> act, int n, float expected, float actual, string what)
    {
        double bound = KernelParity.RelativeTolerance * KernelParity.Magnitude(type, weightRow, act, n) + 1e-30;
        Assert.True(Math.Abs(expected - actual) <= bound, $"{what}: expected {expected:R}, got {actual:R} (allowed ±{bound:G3})");
    }

    [Theory]
    [MemberData(nameof(RunnablePaths))]
    public void Path_matches_scalar_on_random_blocks(GgmlType type, string pathName)
    {
        var path = Enum.Parse<KernelPath>(pathName);
        var rng = new Random(100 + (int)type * 16 + (int)path);
        int block = GgmlTypeInfo.BlockSize(type) == 1 ? 32 : GgmlTypeInfo.BlockSize(type);
        foreach (int blocks in new[] { 1, 2, 3, 7, 16 })
        {
            int n = blocks * block;
            foreach (int rows in new[] { 1, 3, 4, 5, 9 })
            {
                long rowBytes = GgmlTypeInfo.RowBytes(type, n);
                var w = new byte[rowBytes * rows];
                for (int r = 0; r < rows; r++) RandomBlocks.WeightRow(type, n, rng).CopyTo(w, r * rowBytes);
                byte[] act = RandomBlocks.ActivationRow(type, n, rng, out _);
                var got = new float[rows];
                Dot.RowsWith(path, type, w, rows, act, n, got);
                for (int r = 0; r < rows; r++)
                {
                    var row = w.AsSpan((int)(r * rowBytes), (int)rowBytes);
                    AssertClose(type, row, act, n, ScalarDot.Row(type, row, act, n), got[r], $"{type} {path} n={n} rows={rows} row {r}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllWeightTypes))]
    public void Public_Row_and_Rows_match_scalar(GgmlType type)
    {
        var rng = new Random(7 + (int)type);
        int block = GgmlTypeInfo.BlockSize(type) == 1 ? 32 : GgmlTypeInfo.BlockSize(type);
        int n = 5 * block, rows = 6;
        long rowBytes = GgmlTypeInfo.RowBytes(type, n);
        var w = new byte[rowBytes * rows];
        for (int r = 0; r < rows; r++) RandomBlocks.WeightRow(type, n, rng).CopyTo(w, r * rowBytes);
        byte[] act = RandomBlocks.ActivationRow(type, n, rng, out _);
        var got = new float[rows];
        Dot.Rows(type, w, rows, act, n, got);
        for (int r = 0; r < rows; r++)
        {
            var row = w.AsSpan((int)(r * rowBytes), (int)rowBytes);
            float expected = ScalarDot.Row(type, row, act, n);
            AssertClose(type, row, act, n, expected, got[r], $"Rows {type} row {r}");
            AssertClose(type, row, act, n, expected, Dot.Row(type, row, act, n), $"Row {type} row {r}");
        }
    }

    [Theory]
    [MemberData(nameof(AllWeightTypes))]
    public void Scalar_dot_equals_the_dot_of_dequantized_rows(GgmlType type)
    {
        // Proves block decode (DequantizeRow) and the dot's own decode agree: same numbers, up to float rounding.
        var rng = new Random(55 + (int)type);
        int block = GgmlTypeInfo.BlockSize(type) == 1 ? 32 : GgmlTypeInfo.BlockSize(type);
        foreach (int blocks in new[] { 1, 3, 8 })
        {
            int n = blocks * block;
            byte[] w = RandomBlocks.WeightRow(type, n, rng);
            byte[] act = RandomBlocks.ActivationRow(type, n, rng, out _);
            var wf = new float[n];
            var af = new float[n];
            Quants.DequantizeRow(type, w, wf);
            Quants.DequantizeRow(Quants.ActivationType(type), act, af);
            double expected = 0;
            for (int i = 0; i < n; i++) expected += (double)wf[i] * af[i];
            // The dot applies scales after the integer sum (and Q4_1/Q5_1 fold the offset through Q8_1's fp16 s), so allow a
            // little more than the kernel tolerance: 1e-4 of the magnitude.
            double bound = 1e-4 * KernelParity.Magnitude(type, w, act, n) + 1e-30;
            float got = ScalarDot.Row(type, w, act, n);
            Assert.True(Math.Abs(got - expected) <= bound, $"{type} n={n}: scalar dot {got:R}, dequantized dot {expected:R} (±{bound:G3})");
        }
    }

    [Fact]
    public void Bad_shapes_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => Dot.Row(GgmlType.Q4_0, new byte[18], new byte[34], 31));
        Assert.Throws<ArgumentException>(() => Dot.Row(GgmlType.Q4_0, new byte[17], new byte[34], 32));
        Assert.Throws<ArgumentException>(() => Dot.Row(GgmlType.Q4_K, new byte[144], new byte[100], 256));
        Assert.Throws<ArgumentException>(() => Dot.Rows(GgmlType.Q4_0, new byte[36], 2, new byte[34], 32, new float[1]));
        Assert.Throws<NotSupportedException>(() => Dot.Row(GgmlType.Q8_K, new byte[292], new byte[292], 256));
    }

    [Fact]
    public void Kernel_parity_self_checks_pass_and_name_the_path()
    {
        var checks = KernelParity.Checks().ToList();
        Assert.Contains(checks, c => c.Name.StartsWith("dot Q4_0 x Q8_0 [", StringComparison.Ordinal));
        foreach (var (name, check) in checks)
        {
            var ex = Record.Exception(check);
            Assert.True(ex is null, $"{name}: {ex?.Message}");
        }
    }

    [Fact]
    public void Q4_K_word_unpack_equals_per_group_decode()
    {
        var rng = new Random(4);
        var packed = new byte[12];
        for (int t = 0; t < 1000; t++)
        {
            rng.NextBytes(packed);
            var (scales, mins) = EdgeLlm.Core.Tensors.Formats.BlockQ4_K.UnpackWords(
                BitConverter.ToUInt32(packed, 0), BitConverter.ToUInt32(packed, 4), BitConverter.ToUInt32(packed, 8));
            for (int j = 0; j < 8; j++)
            {
                var (s, m) = EdgeLlm.Core.Tensors.Formats.BlockQ4_K.ScaleMin(packed, j);
                Assert.Equal(s, (int)(byte)(scales >> (8 * j)));
                Assert.Equal(m, (int)(byte)(mins >> (8 * j)));
            }
        }
    }
}
