using System.Buffers;

namespace EdgeLlm.Transports.Socket;

/// <summary>
/// Splits a byte stream into <c>\n</c>-terminated lines (a trailing <c>\r</c> is dropped) without ever holding more
/// than <c>maxLineBytes</c> of one line: a longer line is reported once as <see cref="LineKind.Oversized"/> as soon
/// as it passes the limit, and the rest of it, up to its newline, is skipped.
/// </summary>
/// <remarks>
/// A line longer than the connection's own 4 KiB grows in arrays of <see cref="BigLines"/>, a small pool shared by all
/// connections, and goes back there when the next line is read: megabyte requests reuse the same few arrays instead of
/// leaving a trail of garbage on the large object heap (each doubling step used to be a new array), and the pool keeps
/// at most <see cref="PooledPerSize"/> arrays of each size, so what it holds after a burst is bounded.
/// </remarks>
internal sealed class LineReader(Stream stream, int maxLineBytes)
{
    public enum LineKind { Line, Oversized, EndOfStream }

    /// <summary>How many arrays of each size the shared pool keeps (a few megabytes in all at the 1 MB line limit).</summary>
    internal const int PooledPerSize = 2;

    /// <summary>Line buffers above 4 KiB, shared by every connection; arrays beyond what it keeps are left to the GC.</summary>
    internal static readonly ArrayPool<byte> BigLines = ArrayPool<byte>.Create(64 * 1024 * 1024, PooledPerSize);

    private const int OwnLineCapacity = 4096;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private readonly byte[] _own = new byte[OwnLineCapacity];
    private byte[] _line = [];
    private int _length;
    private int _start, _end;
    private bool _skipping;

    public int MaxLineBytes => maxLineBytes;

    /// <summary>The next line; its bytes (for <see cref="LineKind.Line"/>) are valid until the next call.</summary>
    public async ValueTask<(LineKind Kind, ReadOnlyMemory<byte> Line)> ReadAsync(CancellationToken cancellation)
    {
        // A big line's buffer goes back to the pool: idle clients that once sent a megabyte hold none.
        ReleaseBigLine();
        _length = 0;
        while (true)
        {
            int newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            int take = (newline >= 0 ? newline : _end) - _start;
            if (!_skipping)
            {
                if (_length + take > maxLineBytes)
                {
                    _skipping = true;
                    ReleaseBigLine();
                    _length = 0;
                    Consume(newline);
                    if (newline >= 0) _skipping = false;
                    return (LineKind.Oversized, default);
                }
                Append(_buffer.AsSpan(_start, take));
            }
            if (newline >= 0)
            {
                Consume(newline);
                if (_skipping)
                {
                    _skipping = false;
                    continue;
                }
                return (LineKind.Line, TrimCarriageReturn(Written));
            }
            _start = _end = 0;
            int read = await stream.ReadAsync(_buffer, cancellation).ConfigureAwait(false);
            if (read == 0)
            {
                // A last line without a newline still counts.
                if (!_skipping && _length > 0) return (LineKind.Line, TrimCarriageReturn(Written));
                return (LineKind.EndOfStream, default);
            }
            _end = read;
        }
    }

    private ReadOnlyMemory<byte> Written => Current.AsMemory(0, _length);

    private byte[] Current => _line.Length > 0 ? _line : _own;

    /// <summary>Whether a pooled array holds the line now (tests: it must be back in the pool once the next line is read).</summary>
    internal bool HoldsBigLine => _line.Length > 0;

    private void Append(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty) return;
        var current = Current;
        if (_length + bytes.Length > current.Length)
        {
            // Doubling (the pool rounds up to a power of two anyway), never past what the line limit can need.
            int size = (int)Math.Min(Math.Max(2L * current.Length, _length + bytes.Length), Math.Max(maxLineBytes, OwnLineCapacity));
            var bigger = BigLines.Rent(size);
            current.AsSpan(0, _length).CopyTo(bigger);
            ReleaseBigLine();
            _line = bigger;
            current = bigger;
        }
        bytes.CopyTo(current.AsSpan(_length));
        _length += bytes.Length;
    }

    /// <summary>The connection is done with its lines: a pooled buffer goes back now, not when the reader is collected.</summary>
    public void Release() => ReleaseBigLine();

    /// <summary>Bytes of pooled line buffers given back since start, by every connection (see <see cref="BigLineTrimmer"/>).</summary>
    internal static long BigLineBytes => Interlocked.Read(ref s_bigLineBytes);

    private static long s_bigLineBytes;

    private void ReleaseBigLine()
    {
        if (_line.Length == 0) return;
        Interlocked.Add(ref s_bigLineBytes, _line.Length);
        BigLines.Return(_line);
        _line = [];
    }

    private void Consume(int newline)
    {
        if (newline >= 0) _start = newline + 1;
        else _start = _end = 0;
    }

    private static ReadOnlyMemory<byte> TrimCarriageReturn(ReadOnlyMemory<byte> line) =>
        line.Length > 0 && line.Span[^1] == (byte)'\r' ? line[..^1] : line;
}
