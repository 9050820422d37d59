using System.Threading.Channels;

namespace EdgeLlm.Transports.Socket;

/// <summary>
/// Serialises the reply lines of one connection: producers (the generation thread, the reader) enqueue whole lines
/// and never block; one pump writes them in order. A client that stops reading is cut off once
/// <c>maxPendingBytes</c> are waiting, so it cannot make the daemon hold unbounded memory.
/// </summary>
internal sealed class ConnectionWriter
{
    private readonly Channel<byte[]> _lines = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
    private readonly long _maxPendingBytes;
    private readonly Action<string> _onFailure;
    private long _pending;
    private int _failed;

    public ConnectionWriter(Stream stream, long maxPendingBytes, Action<string> onFailure)
    {
        _maxPendingBytes = maxPendingBytes;
        _onFailure = onFailure;
        Completion = PumpAsync(stream);
    }

    /// <summary>Completes when every line was written after <see cref="Complete"/>, or when writing failed.</summary>
    public Task Completion { get; }

    /// <summary>
    /// What one queued line really holds beyond its bytes: the array's header and length, the channel's queue slot.
    /// Streamed pieces are a few dozen bytes, so counting only their text undercounts the memory by half or more.
    /// </summary>
    internal const int PerLineOverhead = 64;

    public void Write(byte[] line)
    {
        if (Volatile.Read(ref _failed) != 0) return;
        if (Interlocked.Add(ref _pending, line.Length + PerLineOverhead) > _maxPendingBytes)
        {
            Fail($"the client is not reading its replies ({_maxPendingBytes} bytes waiting)");
            return;
        }
        _lines.Writer.TryWrite(line);
    }

    /// <summary>No more lines; the pump finishes after writing what is queued.</summary>
    public void Complete() => _lines.Writer.TryComplete();

    private async Task PumpAsync(Stream stream)
    {
        try
        {
            await foreach (var line in _lines.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                await stream.WriteAsync(line).ConfigureAwait(false);
                Interlocked.Add(ref _pending, -(line.Length + PerLineOverhead));
            }
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            Fail("the client went away");
        }
    }

    private void Fail(string reason)
    {
        if (Interlocked.Exchange(ref _failed, 1) != 0) return;
        _lines.Writer.TryComplete();
        _onFailure(reason);
    }
}
