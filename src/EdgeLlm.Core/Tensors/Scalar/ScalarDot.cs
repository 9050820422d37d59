using EdgeLlm.Core.Tensors.Formats;

namespace EdgeLlm.Core.Tensors;

/// <summary>
/// Plain scalar reference of ggml's generic <c>ggml_vec_dot_&lt;weight&gt;_&lt;activation&gt;</c>: integer sums per block, then
/// the same float scaling, association and accumulation order as the generic C code, so it is the yardstick the SIMD
/// paths are compared with.
/// </summary>
public static class ScalarDot
{
    /// <summary>
    /// Dot product of one weight row (<paramref name="weightType"/>) with one activation row of type
    /// <see cref="Quants.ActivationType"/>(<paramref name="weightType"/>), both <paramref name="n"/> elements long.
    /// </summary>
    public static unsafe float Row(GgmlType weightType, ReadOnlySpan<byte> weightRow, ReadOnlySpan<byte> activationRow, int n)
    {
        RowShape.Check(weightType, weightRow, activationRow, n);
        return QuantTypes.Get(weightType).ScalarDot(weightRow, activationRow, n);
    }

    // Float rows: float products accumulated in double, as ggml's generic ggml_vec_dot_f32/f16/bf16.
    internal static float F32(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n)
    {
        var a = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(x);
        var b = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(y);
        double sum = 0;
        for (int i = 0; i < n; i++) sum += a[i] * b[i];
        return (float)sum;
    }

    internal static float F16(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n)
    {
        var a = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(x);
        var b = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(y);
        double sum = 0;
        for (int i = 0; i < n; i++) sum += Fp16.ToSingle(a[i]) * Fp16.ToSingle(b[i]);
        return (float)sum;
    }

    internal static float BF16(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n)
    {
        var a = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(x);
        var b = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(y);
        double sum = 0;
        for (int i = 0; i < n; i++) sum += Bf16.ToSingle(a[i]) * Bf16.ToSingle(b[i]);
        return (float)sum;
    }

    internal static float Q4_0(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n)
    {
        float sumf = 0;
        for (int ib = 0; ib < n / 32; ib++)
        {
            var xb = x.Slice(ib * BlockQ4_0.Bytes, BlockQ4_0.Bytes);
            var yb = y.Slice(ib * BlockQ8_0.Bytes, BlockQ8_0.Bytes);
            int sumi = 0;
            for (int j = 0; j < 16; j++)
            {
                int q = xb[BlockQ4_0.Qs + j];
                sumi += ((q & 0xF) - 8) * (sbyte)yb[BlockQ8_0.Qs + j] + ((q >> 4) - 8) * (sbyte)yb[BlockQ8_0.Qs + j + 16];
            }
            // ggml: sumi*dx*dy, evaluated left to right.
            sumf += sumi * BlockRead.Half(xb, BlockQ4_0.D) * BlockRead.Half(yb, BlockQ8_0.D);
        }
        return sumf;
    }

    internal static float Q4_1(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n)
    {
        float sumf = 0;
        for (int ib = 0; ib < n / 32; ib++)
        {
            var xb = x.Slice(ib * BlockQ4_1.Bytes, BlockQ4_1.Bytes);
            var yb = y.Slice(ib * BlockQ8_1.Bytes, BlockQ8_1.Bytes);
            int sumi = 0;
            for (int j = 0; j < 16; j++)
            {
                int q = xb[BlockQ4_1.Qs + j];
                sumi += (q & 0xF) * (sbyte)yb[BlockQ8_1.Qs + j] + (q >> 4) * (sbyte)yb[BlockQ8_1.Qs + j + 16];
            }
            sumf += BlockRead.Half(xb, BlockQ4_1.D) * BlockRead.Half(yb, BlockQ8_1.D) * sumi
                    + BlockRead.Half(xb, BlockQ4_1.M) * BlockRead.Half(yb, BlockQ8_1.S);
        }
        return sumf;
    }

    internal static float Q5_0(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n)
    {
        float sumf = 0;
        for (int ib = 0; ib < n / 32; ib++)
        {
            var xb = x.Slice(ib * BlockQ5_0.Bytes, BlockQ5_0.Bytes);
            var yb = y.Slice(ib * BlockQ8_0.Bytes, BlockQ8_0.Bytes);
            uint qh = BlockRead.UInt32(xb, BlockQ5_0.Qh);
            int sumi = 0;
            for (int j = 0; j < 32; j++) sumi += (BlockQ5_0.Quant(xb, qh, j) - 16) * (sbyte)yb[BlockQ8_0.Qs + j];
            sumf += BlockRead.Half(xb, BlockQ5_0.D) * BlockRead.Half(yb, BlockQ8_0.D) * sumi;
        }
        return sumf;
    }

    internal static float Q5_1(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n)
    {
        float sumf = 0;
        for (int ib = 0; ib < n / 32; ib++)
        {
            var xb = x.Slice(ib * BlockQ5_1.Bytes, BlockQ5_1.Bytes);
            var yb = y.Slice(ib * BlockQ8_1.Bytes, BlockQ8_1.Bytes);
            uint qh = BlockRead.UInt32(xb, BlockQ5_1.Qh);
            int sumi = 0;
            for (int j = 0; j < 32; j++) sumi += BlockQ5_1.Quant(xb, qh, j) * (sbyte)yb[BlockQ8_1.Qs + j];
            sumf += BlockRead.Half(xb, BlockQ5_1.D) * BlockRead.Half(yb, BlockQ8_1.D) * sumi
                    + BlockRead.Half(xb, BlockQ5_1.M) * BlockRead.Half(yb, BlockQ8_1.S);
        }
        return sumf;
    }

    internal static float Q8_0(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n)
    {
        float sumf = 0;
        for (int ib = 0; ib < n / 32; ib++)
        {
            var xb = x.Slice(ib * BlockQ8_0.Bytes, BlockQ8_0.Bytes);
            var yb = y.Slice(ib * BlockQ8_0.Bytes, BlockQ8_0.Bytes);
            int sumi = 0;
            for (int j = 0; j < 32; j++) sumi += (sbyte)xb[BlockQ8_0.Qs + j] * (sbyte)yb[BlockQ8_0.Qs + j];
            sumf += sumi * (BlockRead.Half(xb, BlockQ8_0.D) * BlockRead.Half(yb, BlockQ8_0.D));
        }
        return sumf;
    }

    internal static float Q2_K(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n)
    {
        float sumf = 0;
        for (int i = 0; i < n / 256; i++)
        {
            var xb = x.Slice(i * BlockQ2_K.Bytes, BlockQ2_K.Bytes);
            var yb = y.Slice(i * BlockQ8_K.Bytes, BlockQ8_K.Bytes);
            int summs = 0;
            for (int g = 0; g < 16; g++) summs += BlockRead.Int16(yb, BlockQ8_K.BSums + 2 * g) * (xb[BlockQ2_K.Scales + g] >> 4);
            float yd = BlockRead.Single(yb, BlockQ8_K.D);
            float dall = yd * BlockRead.Half(xb, BlockQ2_K.D);
            float dmin = yd * BlockRead.Half(xb, BlockQ2_K.DMin);
            int isum = 0;
            for (int g = 0; g < 16; g++)
            {
                int isuml = 0;
                for (int l = 0; l < 16; l++) isuml += (sbyte)yb[BlockQ8_K.Qs + 16 * g + l] * BlockQ2_K.Quant(xb, 16 * g + l);
                isum += (xb[BlockQ2_K.Scales + g] & 0xF) * isuml;
            }
            sumf += dall * isum - dmin * summs;
        }
        return sumf;
    }

    // The Q3_K..Q6_K generic code keeps eight float lane sums (one per position mod 8) across blocks and adds them at the end.
    internal static float Q3_K(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n)
    {
        Span<float> sums = stackalloc float[8];
        Span<int> aux32 = stackalloc int[8];
        sums.Clear();
        for (int i = 0; i < n / 256; i++)
        {
            var xb = x.Slice(i * BlockQ3_K.Bytes, BlockQ3_K.Bytes);
            var yb = y.Slice(i * BlockQ8_K.Bytes, BlockQ8_K.Bytes);
            aux32.Clear();
            for (int g = 0; g < 16; g++)
            {
                int scale = BlockQ3_K.Scale(xb, g);
                for (int l = 0; l < 16; l++)
                {
                    int e = 16 * g + l;
                    aux32[l & 7] += scale * ((sbyte)yb[BlockQ8_K.Qs + e] * BlockQ3_K.Quant(xb, e));
                }
            }
            float d = BlockRead.Half(xb, BlockQ3_K.D) * BlockRead.Single(yb, BlockQ8_K.D);
            for (int l = 0; l < 8; l++) sums[l] += d * aux32[l];
        }
        float sumf = 0;
        for (int l = 0; l < 8; l++) sumf += sums[l];
        return sumf;
    }

    internal static float Q4_K(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n)
    {
        Span<float> sums = stackalloc float[8];
        Span<int> aux32 = stackalloc int[8];
        Span<byte> scales = stackalloc byte[8];
        Span<byte> mins = stackalloc byte[8];
        sums.Clear();
        float sumf = 0;
        for (int i = 0; i < n / 256; i++)
        {
            var xb = x.Slice(i * BlockQ4_K.Bytes, BlockQ4_K.Bytes);
            var yb = y.Slice(i * BlockQ8_K.Bytes, BlockQ8_K.Bytes);
            BlockQ4_K.Unpack(xb.Slice(BlockQ4_K.Scales, 12), scales, mins);
            int sumi = BlockQ4_K.MinCorrection(yb, mins);
            aux32.Clear();
            for (int e = 0; e < 256; e++)
            {
                int g = e >> 5, c = g >> 1;
                int q = xb[BlockQ4_K.Qs + 32 * c + (e & 31)];
                int w = (g & 1) == 0 ? q & 0xF : q >> 4;
                aux32[e & 7] += scales[g] * ((sbyte)yb[BlockQ8_K.Qs + e] * w);
            }
            float yd = BlockRead.Single(yb, BlockQ8_K.D);
            float d = BlockRead.Half(xb, BlockQ4_K.D) * yd;
            for (int l = 0; l < 8; l++) sums[l] += d * aux32[l];
            float dmin = BlockRead.Half(xb, BlockQ4_K.DMin) * yd;
            sumf -= dmin * sumi;
        }
        for (int l = 0; l < 8; l++) sumf += sums[l];
        return sumf;
    }

    internal static float Q5_K(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n)
    {
        Span<float> sums = stackalloc float[8];
        Span<int> aux32 = stackalloc int[8];
        Span<byte> scales = stackalloc byte[8];
        Span<byte> mins = stackalloc byte[8];
        sums.Clear();
        float sumf = 0;
        for (int i = 0; i < n / 256; i++)
        {
            var xb = x.Slice(i * BlockQ5_K.Bytes, BlockQ5_K.Bytes);
            var yb = y.Slice(i * BlockQ8_K.Bytes, BlockQ8_K.Bytes);
            BlockQ4_K.Unpack(xb.Slice(BlockQ5_K.Scales, 12), scales, mins);
            int sumi = BlockQ4_K.MinCorrection(yb, mins);
            aux32.Clear();
            for (int e = 0; e < 256; e++)
                aux32[e & 7] += scales[e >> 5] * ((sbyte)yb[BlockQ8_K.Qs + e] * BlockQ5_K.Quant(xb, e));
            float yd = BlockRead.Single(yb, BlockQ8_K.D);
            float d = BlockRead.Half(xb, BlockQ5_K.D) * yd;
            for (int l = 0; l < 8; l++) sums[l] += d * aux32[l];
            float dmin = BlockRead.Half(xb, BlockQ5_K.DMin) * yd;
            sumf -= dmin * sumi;
        }
        for (int l = 0; l < 8; l++) sumf += sums[l];
        return sumf;
    }

    internal static float Q6_K(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, int n)
    {
        Span<float> sums = stackalloc float[8];
        Span<int> aux32 = stackalloc int[8];
        sums.Clear();
        for (int i = 0; i < n / 256; i++)
        {
            var xb = x.Slice(i * BlockQ6_K.Bytes, BlockQ6_K.Bytes);
            var yb = y.Slice(i * BlockQ8_K.Bytes, BlockQ8_K.Bytes);
            aux32.Clear();
            for (int e = 0; e < 256; e++)
            {
                int scale = (sbyte)xb[BlockQ6_K.Scales + (e >> 4)];
                aux32[e & 7] += scale * ((sbyte)yb[BlockQ8_K.Qs + e] * (BlockQ6_K.Quant(xb, e) - 32));
            }
            float d = BlockRead.Half(xb, BlockQ6_K.D) * BlockRead.Single(yb, BlockQ8_K.D);
            for (int l = 0; l < 8; l++) sums[l] += d * aux32[l];
        }
        float sumf = 0;
        for (int l = 0; l < 8; l++) sumf += sums[l];
        return sumf;
    }
}
