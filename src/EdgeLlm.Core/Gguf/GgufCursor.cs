using System.Buffers.Binary;
using System.Text;

namespace EdgeLlm.Core.Gguf;

/// <summary>A bounds-checked little-endian reader over the mapped file.</summary>
/// <remarks>
/// Every read checks the remaining length first, so a lying length or count turns into a
/// <see cref="GgufException"/> naming the byte offset instead of a read past the mapping.
/// </remarks>
internal sealed unsafe class GgufCursor
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>No legitimate metadata string (not even a chat template) comes near this.</summary>
    public const int MaxStringBytes = 64 << 20;

    private readonly byte* _base;
    private readonly long _length;

    public GgufCursor(byte* start, long length)
    {
        _base = start;
        _length = length;
        Position = 0;
    }

    public long Position { get; private set; }

    public long Remaining => _length - Position;

    public byte ReadUInt8() => *Take(1, "a byte");

    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16LittleEndian(new ReadOnlySpan<byte>(Take(2, "a 16-bit value"), 2));

    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(new ReadOnlySpan<byte>(Take(4, "a 32-bit value"), 4));

    public ulong ReadUInt64() => BinaryPrimitives.ReadUInt64LittleEndian(new ReadOnlySpan<byte>(Take(8, "a 64-bit value"), 8));

    public float ReadFloat32() => BitConverter.Int32BitsToSingle((int)ReadUInt32());

    public double ReadFloat64() => BitConverter.Int64BitsToDouble((long)ReadUInt64());

    /// <summary>A GGUF string: 64-bit byte length, then UTF-8 bytes (no terminator).</summary>
    public string ReadString(string what)
    {
        long at = Position;
        ulong length = ReadUInt64();
        if (length > (ulong)Remaining)
            throw Error(at, $"{what}: string length {length} exceeds the {Remaining} bytes left in the file");
        if (length > MaxStringBytes)
            throw Error(at, $"{what}: string length {length} is over the {MaxStringBytes}-byte limit");
        byte* bytes = Take((long)length, what);
        try
        {
            return StrictUtf8.GetString(bytes, (int)length);
        }
        catch (DecoderFallbackException)
        {
            throw Error(at, $"{what}: string is not valid UTF-8");
        }
    }

    public void Skip(long bytes) => Take(bytes, "padding");

    /// <summary>Fails unless at least <paramref name="count"/> items of <paramref name="minItemBytes"/> each can still follow.</summary>
    public void RequireRoomFor(ulong count, long minItemBytes, string what)
    {
        if (minItemBytes > 0 && count > (ulong)(Remaining / minItemBytes))
            throw Error(Position, $"{what} {count} is larger than the {Remaining} bytes left in the file allow");
    }

    public static GgufException Error(long offset, string message) => new($"{message} (at byte offset {offset})");

    private byte* Take(long count, string what)
    {
        if (count < 0 || count > Remaining)
            throw Error(Position, $"file truncated: expected {what} ({count} bytes) but only {Remaining} bytes remain");
        byte* p = _base + Position;
        Position += count;
        return p;
    }
}
