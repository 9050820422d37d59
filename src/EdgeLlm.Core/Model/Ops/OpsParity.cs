using System.Runtime.Intrinsics;
using EdgeLlm.Core.Tensors;

namespace EdgeLlm.Core.Model.Ops;

/// <summary>
/// Self-checks for <c>edgellm selftest</c>: the per-token float ops this CPU runs (128-bit vectors on arm64 and x64) against
/// their scalar definitions, on fixed-seed rows, as <see cref="KernelParity"/> does for the dot kernels.
/// </summary>
internal static class OpsParity
{
    public static IEnumerable<(string Name, Action Check)> Checks()
    {
        // The 128-bit forms wherever they run (x64 too, though it keeps the scalar RMSNorm, softmax and SwiGLU: VectorOps).
        string path = Vector128.IsHardwareAccelerated ? "vector128" : "scalar";
        yield return ($"rmsnorm [{path}] == scalar", RmsNormCheck);
        yield return ($"softmax [{path}] == scalar", SoftmaxCheck);
        yield return ($"swiglu [{path}] == scalar", SwiGluCheck);
        yield return ($"rope normal and neox [{path}] == scalar, bit for bit", RopeCheck);
        yield return ($"attention F16 keys and values [vector128] == scalar", HalfRowsCheck);
        yield return ($"attention F16 grouped heads [vector128] == per head (key dots bit for bit)", GroupedHalfRowsCheck);
        yield return ($"attention F16 heads in lanes [vector128] == per head (values bit for bit)", GroupLanesCheck);
        yield return ($"KV cache F16 stores [{path}] == scalar, bit for bit", HalfStoreCheck);
        yield return ($"attention value accumulation F16/F32 [{(Vector256.IsHardwareAccelerated ? "vector256" : path)}] == scalar, bit for bit", AccumulateCheck);
    }

    private static bool V => Vector128.IsHardwareAccelerated;

    private static float[] Row(int n, Random rng, double range)
    {
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)((rng.NextDouble() * 2 - 1) * range);
        return x;
    }

    private static void Close(string what, float[] fast, float[] reference, double relative)
    {
        for (int i = 0; i < fast.Length; i++)
            if (!(Math.Abs(fast[i] - reference[i]) <= relative * Math.Abs(reference[i]) + 1e-30))
                throw new InvalidOperationException($"{what} [{i}]: {fast[i]:R}, scalar {reference[i]:R}");
    }

    private static void RmsNormCheck()
    {
        var rng = new Random(31);
        foreach (int n in new[] { 5, 64, 2051 })
        {
            float[] x = Row(n, rng, 3), w = Row(n, rng, 2), fast = new float[n], reference = new float[n];
            RmsNorm.Apply(x, w, 1e-5f, fast, V);
            RmsNorm.Apply(x, w, 1e-5f, reference, vector: false);
            Close($"rmsnorm n={n}", fast, reference, 2e-7);
        }
    }

    private static void SoftmaxCheck()
    {
        var rng = new Random(32);
        foreach (int n in new[] { 3, 17, 1402 })
        {
            float[] fast = Row(n, rng, 30), reference = (float[])fast.Clone();
            Softmax.InPlace(fast, V);
            Softmax.InPlace(reference, vector: false);
            Close($"softmax n={n}", fast, reference, 1e-6);
        }
    }

    private static void SwiGluCheck()
    {
        var rng = new Random(33);
        foreach (int n in new[] { 7, 8192 })
        {
            float[] up = Row(n, rng, 3), fast = Row(n, rng, 30), reference = (float[])fast.Clone();
            SwiGlu.Apply(fast, up, V);
            SwiGlu.Apply(reference, up, vector: false);
            Close($"swiglu n={n}", fast, reference, 1e-6);
        }
    }

    private static void RopeCheck()
    {
        var rng = new Random(34);
        foreach (var style in new[] { RopeStyle.Normal, RopeStyle.Neox })
            foreach (var (dims, headDim) in new[] { (128, 128), (24, 32), (6, 8) })
            {
                var rope = new Rope(new RopeSettings(style, dims, 10000f));
                var angles = new float[rope.AnglesLength];
                rope.Angles(1401, angles);
                float[] fast = Row(4 * headDim, rng, 2), reference = (float[])fast.Clone();
                rope.Rotate(fast, 4, headDim, angles, V);
                rope.Rotate(reference, 4, headDim, angles, vector: false);
                Close($"rope {style} dims={dims}", fast, reference, 0);
            }
    }

    /// <summary>arm64's per-head F16 attention kernels: key dots within float rounding, values bit for bit, probability rounding exact.</summary>
    private static unsafe void HalfRowsCheck()
    {
        var rng = new Random(36);
        const int n = 72, rows = 19, stride = 96;
        var keys = new ushort[stride * rows];
        for (int i = 0; i < keys.Length; i++) keys[i] = Fp16.FromSingle(i % 11 == 0 ? (float)rng.NextDouble() * 1e-6f : (float)(rng.NextDouble() * 4 - 2));
        float[] query = Row(n, rng, 2), dots = new float[rows];
        for (int i = 0; i < n; i++) query[i] = Fp16.ToSingle(Fp16.FromSingle(query[i]));
        fixed (ushort* k = keys)
        fixed (float* q = query)
        fixed (float* d = dots)
            Tensors.Generic.HalfRows128.KeyDots(k, stride, rows, q, n, d);
        for (int r = 0; r < rows; r++)
        {
            double expected = 0, magnitude = 0;
            for (int i = 0; i < n; i++)
            {
                double p = (double)Fp16.ToSingle(keys[r * stride + i]) * query[i];
                expected += p;
                magnitude += Math.Abs(p);
            }
            if (!(Math.Abs(dots[r] - expected) <= 1e-5 * magnitude)) throw new InvalidOperationException($"key dot row {r}: {dots[r]:R}, exact {expected:R}");
        }

        float[] probabilities = Row(rows, rng, 1), rounded = new float[rows];
        for (int r = 0; r < rows; r++) rounded[r] = probabilities[r] = probabilities[r] * probabilities[r] * 1e-3f;
        float[] check = (float[])rounded.Clone();
        Fp16.RoundToHalfPrecision(rounded, vector: true);
        Fp16.RoundToHalfPrecision(check, vector: false);
        Close("probability rounding", rounded, check, 0);
        float[] fast = new float[n], reference = new float[n];
        byte[] bytes = new byte[keys.Length * 2];
        Buffer.BlockCopy(keys, 0, bytes, 0, bytes.Length);
        for (int r = 0; r < rows; r++) AttentionJob.AccumulateScaled(GgmlType.F16, reference, bytes.AsSpan(2 * r * stride, 2 * n), probabilities[r], 0);
        fixed (ushort* v = keys)
        fixed (float* p = rounded)
        fixed (float* o = fast)
            Tensors.Generic.HalfRows128.AccumulateValues(v, stride, rows, p, o, n);
        Close("value accumulation", fast, reference, 0);
    }

    /// <summary>The grouped kernels (one conversion per row for several heads) against the per-head ones: key dots bit for bit, value sums (fused) within a rounding per row.</summary>
    private static unsafe void GroupedHalfRowsCheck()
    {
        var rng = new Random(37);
        const int n = 64, rows = 23, stride = 136, groups = 3;
        var halves = new ushort[stride * rows];
        for (int i = 0; i < halves.Length; i++) halves[i] = i % 9 == 0 ? (ushort)rng.Next(0x400) : Fp16.FromSingle((float)(rng.NextDouble() * 4 - 2));
        float[] queries = Row(groups * n, rng, 2), probabilities = Row(groups * rows, rng, 1);
        for (int i = 0; i < probabilities.Length; i++) probabilities[i] *= probabilities[i];
        Fp16.RoundToHalfPrecision(queries, vector: false);
        Fp16.RoundToHalfPrecision(probabilities, vector: false);
        float[] scaledQueries = (float[])queries.Clone(), scaledProbabilities = (float[])probabilities.Clone();
        for (int i = 0; i < scaledQueries.Length; i++) scaledQueries[i] *= Fp16.TwoPow112;
        for (int i = 0; i < scaledProbabilities.Length; i++) scaledProbabilities[i] *= Fp16.TwoPow112;
        float[] dots = new float[groups * rows], outputs = new float[groups * n], scratch = new float[Tensors.Generic.HalfRowsGrouped128.ScratchFloats(n)];
        fixed (ushort* h = halves)
        fixed (float* q = scaledQueries)
        fixed (float* p = scaledProbabilities)
        fixed (float* d = dots)
        fixed (float* o = outputs)
        fixed (float* w = scratch)
        {
            Tensors.Generic.HalfRowsGrouped128.KeyDots(h, stride, rows, q, n, groups, n, d, rows, w);
            Tensors.Generic.HalfRowsGrouped128.AccumulateValues(h, stride, rows, p, rows, groups, o, n, n, w);
        }
        for (int g = 0; g < groups; g++)
        {
            float[] dot = new float[rows], output = new float[n];
            fixed (ushort* h = halves)
            fixed (float* q = &queries[g * n])
            fixed (float* p = &probabilities[g * rows])
            fixed (float* d = dot)
            fixed (float* o = output)
            {
                Tensors.Generic.HalfRows128.KeyDots(h, stride, rows, q, n, d);
                Tensors.Generic.HalfRows128.AccumulateValues(h, stride, rows, p, o, n);
            }
            Close($"grouped key dots, head {g}", dots[(g * rows)..((g + 1) * rows)], dot, 0);
            for (int d = 0; d < n; d++)
            {
                double magnitude = 0;
                for (int r = 0; r < rows; r++) magnitude += Math.Abs((double)probabilities[g * rows + r] * Fp16.ToSingle(halves[r * stride + d]));
                if (!(Math.Abs(outputs[g * n + d] - output[d]) <= rows * Math.Pow(2, -23) * magnitude))
                    throw new InvalidOperationException($"grouped values, head {g} [{d}]: {outputs[g * n + d]:R}, per head {output[d]:R}");
            }
        }
    }

    /// <summary>
    /// The heads-in-lanes kernels for 3 and 7 heads (spare lanes included) against the per-head key dots (within float
    /// rounding), the rows-in-lanes value sums (bit for bit), and each head's own softmax (within one F16 step).
    /// </summary>
    private static unsafe void GroupLanesCheck()
    {
        var rng = new Random(39);
        const int n = 64, rows = 23, stride = 136;
        var halves = new ushort[stride * rows];
        for (int i = 0; i < halves.Length; i++) halves[i] = i % 9 == 0 ? (ushort)rng.Next(0x400) : Fp16.FromSingle((float)(rng.NextDouble() * 4 - 2));
        foreach (int groups in new[] { 3, 7 })
        {
            int lanes = Tensors.Generic.HalfRowsGroupLanes128.Lanes(groups);
            float[] queries = Row(groups * n, rng, 2);
            Fp16.RoundToHalfPrecision(queries, vector: false);
            float[] scaled = queries.Select(q => q * Fp16.TwoPow112).ToArray();
            float[] transposed = new float[lanes * n], scores = new float[rows * lanes], outputs = new float[lanes * n];
            fixed (ushort* h = halves)
            fixed (float* q = scaled)
            fixed (float* t = transposed)
            fixed (float* s = scores)
            {
                Tensors.Generic.HalfRowsGroupLanes128.TransposeQueries(q, n, groups, n, t);
                Tensors.Generic.HalfRowsGroupLanes128.KeyDots(h, stride, rows, t, lanes, n, s);
            }
            float[] perHead = new float[groups * rows];
            for (int g = 0; g < groups; g++)
            {
                float[] dot = new float[rows];
                fixed (ushort* h = halves)
                fixed (float* q = &queries[g * n])
                fixed (float* d = dot)
                    Tensors.Generic.HalfRows128.KeyDots(h, stride, rows, q, n, d);
                for (int r = 0; r < rows; r++)
                {
                    double magnitude = 0;
                    for (int i = 0; i < n; i++) magnitude += Math.Abs((double)Fp16.ToSingle(halves[r * stride + i]) * queries[g * n + i]);
                    float lane = scores[r * lanes + g];
                    if (!(Math.Abs(lane - dot[r]) <= n * Math.Pow(2, -23) * magnitude))
                        throw new InvalidOperationException($"heads in lanes, key dot head {g} row {r}: {lane:R}, per head {dot[r]:R}");
                    perHead[g * rows + r] = dot[r];
                }
                Softmax.ToHalfProbabilitiesScaledUp(perHead.AsSpan(g * rows, rows), 0.125f);
            }
            fixed (float* s = scores) Softmax.ToHalfProbabilitiesScaledUpInLanes(s, rows, lanes, 0.125f);
            for (int g = 0; g < groups; g++)
                for (int r = 0; r < rows; r++)
                {
                    float lane = scores[r * lanes + g], head = perHead[g * rows + r];
                    if (!(Math.Abs(lane - head) <= Math.Abs(head) * Math.Pow(2, -10) + Fp16.TwoPow112 * Math.Pow(2, -24)))
                        throw new InvalidOperationException($"heads in lanes, softmax head {g} row {r}: {lane:R}, per head {head:R}");
                }
            // The same probabilities both ways, so the value sums must agree bit for bit.
            for (int g = 0; g < groups; g++)
                for (int r = 0; r < rows; r++) perHead[g * rows + r] = scores[r * lanes + g];
            float[] expected = new float[groups * n], scratch = new float[Tensors.Generic.HalfRowsGrouped128.ScratchFloats(n)];
            fixed (ushort* h = halves)
            fixed (float* p = perHead)
            fixed (float* s = scores)
            fixed (float* e = expected)
            fixed (float* o = outputs)
            fixed (float* w = scratch)
            {
                Tensors.Generic.HalfRowsGrouped128.AccumulateValues(h, stride, rows, p, rows, groups, e, n, n, w);
                Tensors.Generic.HalfRowsGroupLanes128.AccumulateValues(h, stride, rows, s, lanes, n, o);
            }
            for (int i = 0; i < expected.Length; i++)
                if (BitConverter.SingleToUInt32Bits(expected[i]) != BitConverter.SingleToUInt32Bits(outputs[i]))
                    throw new InvalidOperationException($"heads in lanes, values head {i / n} [{i % n}]: {outputs[i]:R}, rows in lanes {expected[i]:R}");
        }
    }

    /// <summary>Rows converted to F16 eight at a time give the scalar conversion's bits, subnormals, ties and overflow included.</summary>
    private static void HalfStoreCheck()
    {
        var rng = new Random(38);
        var x = new float[4099];
        for (int i = 0; i < x.Length; i++)
            x[i] = i % 7 == 0 ? (float)(rng.NextDouble() * 1e-6) : i % 503 == 0 ? 70000f : BitConverter.UInt32BitsToSingle((uint)rng.Next(0x477FE000) | (uint)(i & 1) << 31);
        var halves = new ushort[x.Length];
        Fp16.FromSingle(x, halves);
        for (int i = 0; i < x.Length; i++)
            if (halves[i] != Fp16.FromSingle(x[i])) throw new InvalidOperationException($"F16 store [{i}] of {x[i]:R}: 0x{halves[i]:X4}, scalar 0x{Fp16.FromSingle(x[i]):X4}");
    }

    private static void AccumulateCheck()
    {
        var rng = new Random(35);
        int width = Vector256.IsHardwareAccelerated ? 256 : Vector128.IsHardwareAccelerated ? 128 : 0;
        foreach (var type in new[] { GgmlType.F16, GgmlType.F32 })
        {
            const int n = 67;
            float[] values = Row(n, rng, 2);
            var bytes = new byte[n * (type == GgmlType.F16 ? 2 : 4)];
            Quants.QuantizeRowScalar(type, values, bytes);
            float[] fast = Row(n, rng, 1), reference = (float[])fast.Clone();
            AttentionJob.AccumulateScaled(type, fast, bytes, 0.37f, width);
            AttentionJob.AccumulateScaled(type, reference, bytes, 0.37f, 0);
            Close($"accumulate {type}", fast, reference, 0);
        }
    }
}
