using System.Runtime.InteropServices;

namespace EdgeLlm.Core.Tensors.Formats;

/// <summary>Little-endian field writes inside a block.</summary>
internal static class BitConverterWrite
{
    public static void Half(Span<byte> block, int offset, float value) =>
        MemoryMarshal.Write(block.Slice(offset, 2), Fp16.FromSingle(value));

    public static void Single(Span<byte> block, int offset, float value) =>
        MemoryMarshal.Write(block.Slice(offset, 4), value);

    public static void Int16(Span<byte> block, int offset, short value) =>
        MemoryMarshal.Write(block.Slice(offset, 2), value);
}
