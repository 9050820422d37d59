using System.Buffers.Binary;
using EdgeLlm.Core.Model;

namespace EdgeLlm.Core.Generation;

/// <summary>
/// One prompt cache slot on disk: a 32-byte header (magic, version, token count, KV bytes, last use), the 64-byte
/// <see cref="PromptCacheIdentity"/>, the tokens (int32), the keys and values, and a 64-bit checksum of all of it.
/// </summary>
/// <remarks>
/// Everything is checked before a slot is used: length, magic, identity, token count (whole chunks within the context),
/// token ids, KV size, the name's prefix hash and the checksum. A file that fails any of them is reported with the reason
/// and never used, so a damaged file costs a cold start, never wrong logits.
/// </remarks>
public static class PromptCacheFile
{
    private static ReadOnlySpan<byte> Magic => "EDGEKVP1"u8;
    private const int HeaderBytes = 32;
    private const int PrefixBytes = HeaderBytes + PromptCacheIdentity.Bytes;

    public static long SizeOf(PromptCacheSlot slot) => PrefixBytes + 4L * slot.Count + slot.Bytes + 8;

    /// <summary>The hash of a token prefix (part of the file name).</summary>
    public static ulong PrefixHash(ReadOnlySpan<int> tokens) => InterleavedWeightCache.Hash64(System.Runtime.InteropServices.MemoryMarshal.AsBytes(tokens));

    public static void Write(Stream stream, PromptCacheIdentity identity, PromptCacheSlot slot)
    {
        var prefix = new byte[PrefixBytes + 4 * slot.Count];
        Magic.CopyTo(prefix);
        BinaryPrimitives.WriteInt32LittleEndian(prefix.AsSpan(8), 1);
        BinaryPrimitives.WriteInt32LittleEndian(prefix.AsSpan(12), slot.Count);
        BinaryPrimitives.WriteInt64LittleEndian(prefix.AsSpan(16), slot.Bytes);
        BinaryPrimitives.WriteInt64LittleEndian(prefix.AsSpan(24), slot.LastUse.Ticks);
        identity.Block.CopyTo(prefix.AsSpan(HeaderBytes));
        for (int i = 0; i < slot.Count; i++) BinaryPrimitives.WriteInt32LittleEndian(prefix.AsSpan(PrefixBytes + 4 * i), slot.Tokens[i]);
        stream.Write(prefix);
        stream.Write(slot.Kv);
        Span<byte> sum = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(sum, Checksum(prefix, slot.Kv));
        stream.Write(sum);
    }

    /// <summary>Reads and checks a slot; null and the slot, or why the file cannot be used (null slot).</summary>
    public static string? Read(Stream stream, PromptCacheIdentity identity, ulong expectedPrefixHash, out PromptCacheSlot? slot)
    {
        slot = null;
        long length = stream.Length;
        if (length < PrefixBytes + 8) return $"{length} bytes is too short for a prompt cache file";
        var head = new byte[PrefixBytes];
        stream.ReadExactly(head);
        if (!head.AsSpan(0, 8).SequenceEqual(Magic)) return "not a prompt cache file (bad magic)";
        if (BinaryPrimitives.ReadInt32LittleEndian(head.AsSpan(8)) != 1) return "unknown version";
        int count = BinaryPrimitives.ReadInt32LittleEndian(head.AsSpan(12));
        long kvBytes = BinaryPrimitives.ReadInt64LittleEndian(head.AsSpan(16));
        long ticks = BinaryPrimitives.ReadInt64LittleEndian(head.AsSpan(24));
        if (!head.AsSpan(HeaderBytes, PromptCacheIdentity.Bytes).SequenceEqual(identity.Block))
            return "made for another model file, KV type, context or kernels";
        if (count <= 0 || count > identity.ContextLength || count % identity.Chunk != 0)
            return $"token count {count} is not a whole number of {identity.Chunk}-token chunks within the context of {identity.ContextLength}";
        if (kvBytes != count * identity.BytesPerPosition) return $"holds {kvBytes} KV bytes where {count} tokens take {count * identity.BytesPerPosition}";
        if (ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks) return "bad last-use time";
        if (length != PrefixBytes + 4L * count + kvBytes + 8) return $"{length} bytes where the header says {PrefixBytes + 4L * count + kvBytes + 8} (truncated or padded)";

        var prefix = new byte[PrefixBytes + 4 * count];
        head.CopyTo(prefix, 0);
        stream.ReadExactly(prefix.AsSpan(PrefixBytes));
        var tokens = new int[count];
        for (int i = 0; i < count; i++)
        {
            tokens[i] = BinaryPrimitives.ReadInt32LittleEndian(prefix.AsSpan(PrefixBytes + 4 * i));
            if ((uint)tokens[i] >= (uint)identity.VocabSize) return $"token {i} is {tokens[i]}, outside the vocabulary";
        }
        if (PrefixHash(tokens) != expectedPrefixHash) return "its tokens do not match the hash in its name";
        var kv = GC.AllocateUninitializedArray<byte>(checked((int)kvBytes));
        stream.ReadExactly(kv);
        Span<byte> sum = stackalloc byte[8];
        stream.ReadExactly(sum);
        if (BinaryPrimitives.ReadUInt64LittleEndian(sum) != Checksum(prefix, kv)) return "checksum mismatch (damaged)";
        slot = new PromptCacheSlot(tokens, kv, new DateTime(ticks, DateTimeKind.Utc)) { FromDisk = true };
        return null;
    }

    private static ulong Checksum(ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> kv) =>
        (InterleavedWeightCache.Hash64(prefix) * 0x9E3779B97F4A7C15) ^ InterleavedWeightCache.Hash64(kv);
}
