namespace EdgeLlm.Core.Tensors.Formats;

/// <summary>
/// Q6_K rows regrouped eight at a time, one row per 32-bit vector lane (see <see cref="InterleavedQ4_0"/>), with the 6-bit
/// quants split into a nibble plane and a 2-bit plane laid out so that one load of each gives four vectors of quants.
/// </summary>
/// <remarks>
/// A group of 8 rows is n/256 blocks of 1680 bytes. Block b is first the quants, 1536 bytes as 48 chunks of 32 bytes
/// (bytes 4r..4r+3 of a chunk are row r's, for 4 consecutive columns), of three kinds for each m = 0..15:
/// <list type="bullet">
/// <item>nibble chunk m: columns 4m.. in the low nibbles and 128 + 4m.. in the high nibbles;</item>
/// <item>second nibble chunk m: columns 64 + 4m.. and 192 + 4m.. likewise;</item>
/// <item>high-bit chunk m: the top two bits of columns 4m.., 64 + 4m.., 128 + 4m.. and 192 + 4m.. in bits 0-1, 2-3, 4-5
/// and 6-7.</item>
/// </list>
/// The kernels take chunks m in fours (a 16-column sub-block of each quarter), so the chunks are stored in that order: for
/// each quad s = m / 4, 384 bytes of its four nibble chunks, then its four second nibble chunks, then its four high-bit
/// chunks (<see cref="Chunk"/>, <see cref="SecondNibbles"/>, <see cref="HighBits"/>), and a block is read front to back.
/// Then 144 bytes of metadata: the 8 rows' fp16 d and the 16 signed scales as bytes [sub-block j][row r]. The group is
/// exactly the size of its 8 rows, and one sequential stream (see <see cref="InterleavedQ4_0"/>).
/// </remarks>
internal static unsafe class InterleavedQ6_K
{
    public const int GroupRows = 8;
    /// <summary>Bytes of one block of 8 rows: its quants, then (at <see cref="BlockQuantBytes"/>) its metadata.</summary>
    public const int BlockQuantBytes = 1536, BlockMetaBytes = 144, BlockBytes = BlockQuantBytes + BlockMetaBytes;

    /// <summary>Bytes of a quad's 12 chunks; from a nibble chunk to its second nibble chunk and to its high-bit chunk.</summary>
    public const int QuadBytes = 384, SecondNibbles = 128, HighBits = 256;

    /// <summary>Offset in a block of nibble chunk m (m = 0..15); its other two chunks follow at the offsets above.</summary>
    public static int Chunk(int m) => QuadBytes * (m >> 2) + 32 * (m & 3);
    public const int MetaD = 0, MetaScales = 16;

    public static long GroupBytes(int n) => (long)(n / BlockQ6_K.Elements) * BlockBytes;

    public static void Interleave(byte* rows, nint rowBytes, int nb, byte* group)
    {
        byte* q = stackalloc byte[BlockQ6_K.Elements];
        for (int r = 0; r < GroupRows; r++)
        {
            byte* block = rows + r * rowBytes;
            for (int b = 0; b < nb; b++, block += BlockQ6_K.Bytes)
            {
                Unpack(block, q);
                byte* m = group + b * BlockBytes + BlockQuantBytes;
                *(ushort*)(m + MetaD + 2 * r) = *(ushort*)(block + BlockQ6_K.D);
                for (int j = 0; j < 16; j++) m[MetaScales + 8 * j + r] = block[BlockQ6_K.Scales + j];
                byte* dst = group + b * BlockBytes + 4 * r;
                for (int c = 0; c < 16; c++)
                {
                    byte* chunk = dst + Chunk(c);
                    for (int i = 0; i < 4; i++)
                    {
                        chunk[i] = (byte)((q[4 * c + i] & 0xF) | ((q[128 + 4 * c + i] & 0xF) << 4));
                        chunk[SecondNibbles + i] = (byte)((q[64 + 4 * c + i] & 0xF) | ((q[192 + 4 * c + i] & 0xF) << 4));
                        chunk[HighBits + i] = (byte)((q[4 * c + i] >> 4) | ((q[64 + 4 * c + i] >> 4) << 2)
                            | ((q[128 + 4 * c + i] >> 4) << 4) | ((q[192 + 4 * c + i] >> 4) << 6));
                    }
                }
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
