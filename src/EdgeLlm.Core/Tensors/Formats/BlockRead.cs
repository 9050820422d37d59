using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace EdgeLlm.Core.Tensors.Formats;

/// <summary>Little-endian field reads inside a block (GGUF and every supported host are little-endian).</summary>
internal static class BlockRead
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Half(ReadOnlySpan<byte> block, int offset) =>
        Fp16.ToSingle(MemoryMarshal.Read<ushort>(block.Slice(offset, 2)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint UInt32(ReadOnlySpan<byte> block, int offset) =>
        MemoryMarshal.Read<uint>(block.Slice(offset, 4));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static short Int16(ReadOnlySpan<byte> block, int offset) =>
        MemoryMarshal.Read<short>(block.Slice(offset, 2));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Single(ReadOnlySpan<byte> block, int offset) =>
        MemoryMarshal.Read<float>(block.Slice(offset, 4));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static sbyte SByte(ReadOnlySpan<byte> block, int offset) => (sbyte)block[offset];
}
