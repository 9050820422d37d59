using System.Buffers;

namespace EdgeLlm.Transports.Socket;

/// <summary>
/// Splits a byte stream into <c>\n</c>-terminated lines (a trailing <c>\r</c> is dropped) without ever holding more
/// than <c>maxLineBytes</c> of one line: a longer line is reported once as <see cref="LineKind.Oversized"/> as soon
/// as it passes the limit, and the rest of it, up to its newline, is skipped.
/// </summary>
internal sealed class LineReader(Stream stream, int maxLineBytes)
{
    public enum LineKind { Line, Oversized, EndOfStream }

    private readonly byte[] _buffer = new byte[64 * 1024];
    private const int KeptLineCapacity = 64 * 1024;
    private ArrayBufferWriter<byte> _line = new(4096);
    private int _start, _end;
    private bool _skipping;

    public int MaxLineBytes => maxLineBytes;

    /// <summary>The next line; its bytes (for <see cref="LineKind.Line"/>) are valid until the next call.</summary>
    public async ValueTask<(LineKind Kind, ReadOnlyMemory<byte> Line)> ReadAsync(CancellationToken cancellation)
    {
        // A big line's buffer is not kept for the connection's life: idle clients that once sent a megabyte hold none.
        if (_line.Capacity > KeptLineCapacity) _line = new ArrayBufferWriter<byte>(4096);
        else _line.ResetWrittenCount();
        while (true)
        {
            int newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            int take = (newline >= 0 ? newline : _end) - _start;
            if (!_skipping)
            {
                if (_line.WrittenCount + take > maxLineBytes)
                {
                    _skipping = true;
                    _line.ResetWrittenCount();
                    Consume(newline);
                    if (newline >= 0) _skipping = false;
                    return (LineKind.Oversized, default);
                }
                _line.Write(_buffer.AsSpan(_start, take));
            }
            if (newline >= 0)
            {
                Consume(newline);
                if (_skipping)
                {
                    _skipping = false;
                    continue;
                }
                return (LineKind.Line, TrimCarriageReturn(_line.WrittenMemory));
            }
            _start = _end = 0;
            int read = await stream.ReadAsync(_buffer, cancellation).ConfigureAwait(false);
            if (read == 0)
            {
                // A last line without a newline still counts.
                if (!_skipping && _line.WrittenCount > 0) return (LineKind.Line, TrimCarriageReturn(_line.WrittenMemory));
                return (LineKind.EndOfStream, default);
            }
            _end = read;
        }
    }

    private void Consume(int newline)
    {
        if (newline >= 0) _start = newline + 1;
        else _start = _end = 0;
    }

    private static ReadOnlyMemory<byte> TrimCarriageReturn(ReadOnlyMemory<byte> line) =>
        line.Length > 0 && line.Span[^1] == (byte)'\r' ? line[..^1] : line;
}
