using System.Runtime.CompilerServices;

namespace EdgeLlm.Core.Tensors;

/// <summary>bfloat16 (the top half of a float) conversions as ggml does them.</summary>
public static class Bf16
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ToSingle(ushort bits) => BitConverter.UInt32BitsToSingle((uint)bits << 16);

    /// <summary>Round to nearest-even; a NaN is kept a (quiet) NaN instead of being rounded into infinity.</summary>
    public static ushort FromSingle(float f)
    {
        uint u = BitConverter.SingleToUInt32Bits(f);
        if ((u & 0x7FFFFFFF) > 0x7F800000) return (ushort)((u >> 16) | 64);
        return (ushort)((u + 0x7FFF + ((u >> 16) & 1)) >> 16);
    }
}
