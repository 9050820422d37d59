using System.Runtime.InteropServices;
using EdgeLlm.Core.Tensors.Formats;

namespace EdgeLlm.Core.Tensors;

/// <summary>Random but well-formed rows of every supported type: random quants, random finite scales (for self-checks and tests).</summary>
internal static class RandomBlocks
{
    /// <summary>A weight row of <paramref name="n"/> elements: every byte random, then each scale field set to a finite half.</summary>
    public static byte[] WeightRow(GgmlType type, int n, Random rng)
    {
        var row = new byte[GgmlTypeInfo.RowBytes(type, n)];
        rng.NextBytes(row);
        int bytes = GgmlTypeInfo.BlockBytes(type);
        switch (type)
        {
            case GgmlType.F32:
            {
                var f = MemoryMarshal.Cast<byte, float>(row.AsSpan());
                for (int i = 0; i < f.Length; i++) f[i] = (float)(rng.NextDouble() * 2 - 1);
                return row;
            }
            case GgmlType.F16:
            {
                var h = MemoryMarshal.Cast<byte, ushort>(row.AsSpan());
                for (int i = 0; i < h.Length; i++) h[i] = Fp16.FromSingle((float)(rng.NextDouble() * 2 - 1));
                return row;
            }
            case GgmlType.BF16:
            {
                var h = MemoryMarshal.Cast<byte, ushort>(row.AsSpan());
                for (int i = 0; i < h.Length; i++) h[i] = Bf16.FromSingle((float)(rng.NextDouble() * 2 - 1));
                return row;
            }
        }
        for (int off = 0; off < row.Length; off += bytes)
        {
            var b = row.AsSpan(off, bytes);
            switch (type)
            {
                case GgmlType.Q4_0: Scale(b, BlockQ4_0.D, rng); break;
                case GgmlType.Q4_1: Scale(b, BlockQ4_1.D, rng); Scale(b, BlockQ4_1.M, rng); break;
                case GgmlType.Q5_0: Scale(b, BlockQ5_0.D, rng); break;
                case GgmlType.Q5_1: Scale(b, BlockQ5_1.D, rng); Scale(b, BlockQ5_1.M, rng); break;
                case GgmlType.Q8_0:
                    Scale(b, BlockQ8_0.D, rng);
                    // ggml's quantizers never produce −128 (see Q8_0X86 for why kernels rely on that).
                    for (int j = 0; j < 32; j++) if (b[BlockQ8_0.Qs + j] == 0x80) b[BlockQ8_0.Qs + j] = 0x81;
                    break;
                case GgmlType.Q2_K: Scale(b, BlockQ2_K.D, rng); Scale(b, BlockQ2_K.DMin, rng); break;
                case GgmlType.Q3_K: Scale(b, BlockQ3_K.D, rng); break;
                case GgmlType.Q4_K: Scale(b, BlockQ4_K.D, rng); Scale(b, BlockQ4_K.DMin, rng); break;
                case GgmlType.Q5_K: Scale(b, BlockQ5_K.D, rng); Scale(b, BlockQ5_K.DMin, rng); break;
                case GgmlType.Q6_K: Scale(b, BlockQ6_K.D, rng); break;
                default: throw new NotSupportedException(type.ToString());
            }
        }
        return row;
    }

    /// <summary>Random floats in ±1 with a few larger outliers (so block maxima vary), quantized with <see cref="Quants.QuantizeRow"/>.</summary>
    public static byte[] ActivationRow(GgmlType weightType, int n, Random rng, out float[] values)
    {
        values = Floats(n, rng);
        GgmlType act = Quants.ActivationType(weightType);
        var row = new byte[GgmlTypeInfo.RowBytes(act, n)];
        Quants.QuantizeRow(act, values, row);
        return row;
    }

    public static float[] Floats(int n, Random rng)
    {
        var v = new float[n];
        for (int i = 0; i < n; i++)
        {
            v[i] = (float)(rng.NextDouble() * 2 - 1);
            if (rng.Next(64) == 0) v[i] *= 20;
        }
        return v;
    }

    /// <summary>
    /// Floats whose odd blocks are exact rounding ties: the block maximum is 127, so the quantizer's scale is exactly ±1 and
    /// values k + 0.5 sit halfway between two quants. Even blocks are ordinary random values.
    /// </summary>
    public static float[] TieFloats(int n, int blockSize, Random rng)
    {
        float[] x = Floats(n, rng);
        for (int b = 1; b * blockSize < n; b += 2)
        {
            var block = x.AsSpan(b * blockSize, blockSize);
            for (int j = 0; j < block.Length; j++) block[j] = rng.Next(-126, 126) + 0.5f;
            block[rng.Next(block.Length)] = 127;
        }
        return x;
    }

    /// <summary>A finite half of random sign and magnitude 2^-14..2^-3 (normal halves; the range real models use).</summary>
    private static void Scale(Span<byte> block, int offset, Random rng)
    {
        float magnitude = MathF.Pow(2, -14 + 11 * (float)rng.NextDouble());
        float v = rng.Next(2) == 0 ? magnitude : -magnitude;
        BitConverterWrite.Half(block, offset, v);
    }
}
