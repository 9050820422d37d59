using System.Text;

namespace EdgeLlm.Core.Tokenizers;

/// <summary>Turns a stream of token ids into text, one token at a time.</summary>
/// <remarks>
/// A token may carry only part of a character (SentencePiece byte fallback, or a byte-level BPE token
/// that splits a UTF-8 sequence), so bytes are held until they complete a character. Invalid or
/// abandoned sequences come out as U+FFFD as soon as they are known to be invalid, never held forever.
/// Not thread-safe: use one decoder per stream.
/// </remarks>
public sealed class TokenTextDecoder
{
    private readonly Tokenizer _tokenizer;
    private readonly Decoder _utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false).GetDecoder();
    private char[] _chars = new char[64];
    private bool _stripPending;

    internal TokenTextDecoder(Tokenizer tokenizer, bool stripLeadingSpace)
    {
        _tokenizer = tokenizer;
        _stripPending = stripLeadingSpace;
    }

    /// <summary>The text that became complete with this token (often empty while a character is split).</summary>
    public string Append(int id)
    {
        var bytes = _tokenizer.TokenBytes(id);
        if (_stripPending && !bytes.IsEmpty)
        {
            // Only the first visible piece: the encoder's space prefix is one space before the first word.
            if (bytes[0] == (byte)' ') bytes = bytes[1..];
            _stripPending = false;
        }
        return Decode(bytes, flush: false);
    }

    /// <summary>Ends the stream: any incomplete character left over becomes U+FFFD. The decoder can then be reused.</summary>
    public string Flush() => Decode([], flush: true);

    private string Decode(ReadOnlySpan<byte> bytes, bool flush)
    {
        // At most one char per byte, plus what up to three held bytes can turn into.
        int needed = bytes.Length + 4;
        if (_chars.Length < needed) _chars = new char[Math.Max(needed, _chars.Length * 2)];
        int n = _utf8.GetChars(bytes, _chars, flush);
        return n == 0 ? string.Empty : new string(_chars, 0, n);
    }
}
