namespace EdgeLlm.Core.Tensors.Formats;

/// <summary>
/// Q6_K rows regrouped eight at a time, one row per 32-bit vector lane (see <see cref="InterleavedQ4_0"/>), with the 6-bit
/// quants split into a nibble plane and a 2-bit plane laid out so that one load of each gives four vectors of quants.
/// </summary>
/// <remarks>
/// Per group of 8 rows, first the quants, 1536 bytes per 256-column block (bytes 4r..4r+3 of every 32-byte chunk are row r's,
/// for 4 consecutive columns):
/// <list type="bullet">
/// <item>32 nibble chunks: chunk k holds columns 4k.. (k &lt; 16) or 64 + 4(k−16).. (k ≥ 16) in the low nibbles and the
/// columns 128 further on in the high nibbles;</item>
/// <item>16 high-bit chunks: chunk m holds the top two bits of columns 4m.., 64 + 4m.., 128 + 4m.. and 192 + 4m.. in bits
/// 0-1, 2-3, 4-5 and 6-7.</item>
/// </list>
/// Then 144 bytes per block: the 8 rows' fp16 d and the 16 signed scales as bytes [sub-block j][row r]. The group is exactly
/// the size of its 8 rows.
/// </remarks>
internal static unsafe class InterleavedQ6_K
{
    public const int GroupRows = 8;
    public const int BlockQuantBytes = 1536, BlockMetaBytes = 144, HighPlane = 1024;
    public const int MetaD = 0, MetaScales = 16;

    public static long GroupBytes(int n) => (long)(n / BlockQ6_K.Elements) * (BlockQuantBytes + BlockMetaBytes);

    public static void Interleave(byte* rows, nint rowBytes, int nb, byte* group)
    {
        byte* meta = group + nb * BlockQuantBytes;
        byte* q = stackalloc byte[BlockQ6_K.Elements];
        for (int r = 0; r < GroupRows; r++)
        {
            byte* block = rows + r * rowBytes;
            for (int b = 0; b < nb; b++, block += BlockQ6_K.Bytes)
            {
                Unpack(block, q);
                byte* m = meta + b * BlockMetaBytes;
                *(ushort*)(m + MetaD + 2 * r) = *(ushort*)(block + BlockQ6_K.D);
                for (int j = 0; j < 16; j++) m[MetaScales + 8 * j + r] = block[BlockQ6_K.Scales + j];
                byte* dst = group + b * BlockQuantBytes + 4 * r;
                for (int k = 0; k < 32; k++)
                {
                    int column = k < 16 ? 4 * k : 64 + 4 * (k - 16);
                    for (int i = 0; i < 4; i++)
                        dst[32 * k + i] = (byte)((q[column + i] & 0xF) | ((q[column + 128 + i] & 0xF) << 4));
                }
                for (int c = 0; c < 16; c++)
                    for (int i = 0; i < 4; i++)
                        dst[HighPlane + 32 * c + i] = (byte)((q[4 * c + i] >> 4) | ((q[64 + 4 * c + i] >> 4) << 2)
                            | ((q[128 + 4 * c + i] >> 4) << 4) | ((q[192 + 4 * c + i] >> 4) << 6));
            }
        }
    }

    /// <summary>The block's 256 unsigned 6-bit quants (0..63) in column order.</summary>
    private static void Unpack(byte* block, byte* q)
    {
        for (int h = 0; h < 2; h++)
            for (int l = 0; l < 32; l++)
            {
                int ql0 = block[BlockQ6_K.Ql + 64 * h + l], ql1 = block[BlockQ6_K.Ql + 64 * h + l + 32], qh = block[BlockQ6_K.Qh + 32 * h + l];
                q[128 * h + l] = (byte)((ql0 & 0xF) | ((qh & 3) << 4));
                q[128 * h + 32 + l] = (byte)((ql1 & 0xF) | (((qh >> 2) & 3) << 4));
                q[128 * h + 64 + l] = (byte)((ql0 >> 4) | (((qh >> 4) & 3) << 4));
                q[128 * h + 96 + l] = (byte)((ql1 >> 4) | (((qh >> 6) & 3) << 4));
            }
    }

    /// <summary>Whether every d of the rows is finite.</summary>
    public static bool ScalesFinite(byte* rows, long blocks)
    {
        for (long i = 0; i < blocks; i++)
            if ((*(ushort*)(rows + i * BlockQ6_K.Bytes + BlockQ6_K.D) & 0x7C00) == 0x7C00) return false;
        return true;
    }
}
