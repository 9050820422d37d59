namespace EdgeLlm.Core.Tensors.Formats;

/// <summary>
/// Q4_K: 256 weights in 8 groups of 32. fp16 d, fp16 dmin, scales[12] = eight 6-bit scales and eight 6-bit mins, qs[128];
/// w = d·scale·q − dmin·min. Bytes 32c..32c+31 of qs hold group 2c in their low nibbles and group 2c+1 in their high ones.
/// </summary>
internal static class BlockQ4_K
{
    public const int Elements = 256, Bytes = 144, D = 0, DMin = 2, Scales = 4, Qs = 16;

    /// <summary>Scale and min of group <paramref name="j"/> (0..7) from the 12 packed bytes (shared with Q5_K).</summary>
    public static (int Scale, int Min) ScaleMin(ReadOnlySpan<byte> packed, int j)
    {
        if (j < 4) return (packed[j] & 63, packed[j + 4] & 63);
        return ((packed[j + 4] & 0xF) | ((packed[j - 4] >> 6) << 4),
                (packed[j + 4] >> 4) | ((packed[j] >> 6) << 4));
    }

    /// <summary>
    /// The same eight scales and eight mins as <see cref="ScaleMin"/>, one per byte of two words (group j in byte j), built with
    /// word-wide masks: the SIMD paths use this per row and block.
    /// </summary>
    public static (ulong Scales, ulong Mins) UnpackWords(uint a0, uint a1, uint a2)
    {
        // Groups 0..3 keep the low 6 bits of bytes 0..3 (scales) and 4..7 (mins); groups 4..7 take a nibble from bytes 8..11
        // and their top 2 bits from the spare top bits of bytes 0..3 (scales) or 4..7 (mins).
        ulong scales = (a0 & 0x3F3F3F3Fu) | ((ulong)((a2 & 0x0F0F0F0Fu) | (((a0 >> 6) & 0x03030303u) << 4)) << 32);
        ulong mins = (a1 & 0x3F3F3F3Fu) | ((ulong)(((a2 >> 4) & 0x0F0F0F0Fu) | (((a1 >> 6) & 0x03030303u) << 4)) << 32);
        return (scales, mins);
    }

    /// <summary>All eight scales and mins, each 0..63.</summary>
    public static void Unpack(ReadOnlySpan<byte> packed, Span<byte> scales, Span<byte> mins)
    {
        for (int j = 0; j < 8; j++)
        {
            var (s, m) = ScaleMin(packed, j);
            scales[j] = (byte)s;
            mins[j] = (byte)m;
        }
    }

    /// <summary>Σ_j bsums[j]·min[j/2] over a Q8_K block's 16 group sums: the integer part of the min correction.</summary>
    public static int MinCorrection(ReadOnlySpan<byte> q8k, ReadOnlySpan<byte> mins)
    {
        int sum = 0;
        for (int j = 0; j < 16; j++) sum += BlockRead.Int16(q8k, BlockQ8_K.BSums + 2 * j) * mins[j >> 1];
        return sum;
    }

    public static void Dequantize(ReadOnlySpan<byte> b, Span<float> y)
    {
        float d = BlockRead.Half(b, D), min = BlockRead.Half(b, DMin);
        var packed = b.Slice(Scales, 12);
        for (int c = 0; c < 4; c++)
        {
            var (s1, m1) = ScaleMin(packed, 2 * c);
            var (s2, m2) = ScaleMin(packed, 2 * c + 1);
            float d1 = d * s1, dm1 = min * m1, d2 = d * s2, dm2 = min * m2;
            for (int l = 0; l < 32; l++)
            {
                int q = b[Qs + 32 * c + l];
                y[64 * c + l] = d1 * (q & 0xF) - dm1;
                y[64 * c + 32 + l] = d2 * (q >> 4) - dm2;
            }
        }
    }
}
