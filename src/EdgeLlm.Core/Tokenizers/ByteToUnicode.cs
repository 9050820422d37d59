namespace EdgeLlm.Core.Tokenizers;

/// <summary>GPT-2's reversible mapping between the 256 byte values and 256 printable characters.</summary>
/// <remarks>
/// Byte-level BPE vocabularies store every token as the characters its bytes map to, so that a token
/// never contains whitespace or control characters. Printable Latin-1 bytes map to themselves; the other
/// 68 bytes are moved, in byte order, to U+0100 and up. Every mapped character is a single UTF-16 unit,
/// which lets the BPE tokenizer work on one <see cref="char"/> per input byte.
/// </remarks>
internal static class ByteToUnicode
{
    private static readonly char[] ByteToChar = Build();
    private static readonly short[] CharToByte = BuildInverse();

    /// <summary>Characters above this value never stand for a byte.</summary>
    public const char MaxMappedChar = (char)(0x100 + 68 - 1);

    public static char Encode(byte b) => ByteToChar[b];

    /// <summary>The byte a vocabulary character stands for, or -1 if it is not one of the 256.</summary>
    public static int Decode(char c) => c <= MaxMappedChar ? CharToByte[c] : -1;

    private static bool IsPrintableLatin1(int b) => b is (>= 0x21 and <= 0x7E) or (>= 0xA1 and <= 0xAC) or (>= 0xAE and <= 0xFF);

    private static char[] Build()
    {
        var map = new char[256];
        int next = 0x100;
        for (int b = 0; b < 256; b++)
            map[b] = IsPrintableLatin1(b) ? (char)b : (char)next++;
        return map;
    }

    private static short[] BuildInverse()
    {
        var inverse = new short[MaxMappedChar + 1];
        Array.Fill(inverse, (short)-1);
        for (int b = 0; b < 256; b++) inverse[ByteToChar[b]] = (short)b;
        return inverse;
    }
}
