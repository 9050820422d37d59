namespace EdgeLlm.Core.Tensors.Formats;

/// <summary>
/// Q4_K rows regrouped eight at a time, one row per 32-bit vector lane, like <see cref="InterleavedQ4_0"/>; the 6-bit scales
/// and mins are unpacked to bytes once here instead of in every kernel pass.
/// </summary>
/// <remarks>
/// A group of 8 rows is n/256 blocks of 1184 bytes. Block b is first the quants, 1024 bytes: 32 chunks of 32 bytes; chunk
/// 8c + k holds, in bytes 4r..4r+3, row r's Q4_K bytes 32c + 4k .. 32c + 4k + 3 of block b (low nibbles: columns
/// 64c + 4k.., high nibbles: columns 64c + 32 + 4k..). Then 160 bytes of metadata: the 8 rows' fp16 d, their fp16 dmin,
/// the scales as bytes [sub-block j][row r] and the mins likewise. 1184 bytes where the rows take 1152: 2.8% more to
/// read, against unpacking 6-bit fields in the inner loop. The metadata follows its quants so that a group is one
/// sequential stream (see <see cref="InterleavedQ4_0"/>).
/// </remarks>
internal static unsafe class InterleavedQ4_K
{
    public const int GroupRows = 8;
    /// <summary>Bytes of one block of 8 rows: its quants, then (at <see cref="BlockQuantBytes"/>) its metadata.</summary>
    public const int BlockQuantBytes = 1024, BlockMetaBytes = 160, BlockBytes = BlockQuantBytes + BlockMetaBytes;
    public const int MetaD = 0, MetaDMin = 16, MetaScales = 32, MetaMins = 96;

    public static long GroupBytes(int n) => (long)(n / BlockQ4_K.Elements) * BlockBytes;

    public static void Interleave(byte* rows, nint rowBytes, int nb, byte* group)
    {
        Span<byte> scales = stackalloc byte[8], mins = stackalloc byte[8];
        for (int r = 0; r < GroupRows; r++)
        {
            byte* block = rows + r * rowBytes;
            for (int b = 0; b < nb; b++, block += BlockQ4_K.Bytes)
            {
                byte* m = group + b * BlockBytes + BlockQuantBytes;
                *(ushort*)(m + MetaD + 2 * r) = *(ushort*)(block + BlockQ4_K.D);
                *(ushort*)(m + MetaDMin + 2 * r) = *(ushort*)(block + BlockQ4_K.DMin);
                BlockQ4_K.Unpack(new ReadOnlySpan<byte>(block + BlockQ4_K.Scales, 12), scales, mins);
                for (int j = 0; j < 8; j++)
                {
                    m[MetaScales + 8 * j + r] = scales[j];
                    m[MetaMins + 8 * j + r] = mins[j];
                }
                uint* q = (uint*)(block + BlockQ4_K.Qs);
                byte* dst = group + b * BlockBytes + 4 * r;
                for (int chunk = 0; chunk < 32; chunk++) *(uint*)(dst + 32 * chunk) = q[chunk];
            }
        }
    }

    /// <summary>Whether every d and dmin of the rows is finite.</summary>
    public static bool ScalesFinite(byte* rows, long blocks)
    {
        for (long i = 0; i < blocks; i++)
        {
            byte* b = rows + i * BlockQ4_K.Bytes;
            if ((*(ushort*)(b + BlockQ4_K.D) & 0x7C00) == 0x7C00 || (*(ushort*)(b + BlockQ4_K.DMin) & 0x7C00) == 0x7C00) return false;
        }
        return true;
    }
}
