using EdgeLlm.Transports.Socket;

namespace EdgeLlm.Tests.Transports;

public class ConnectionWriterTests
{
    /// <summary>A client that never reads: every write blocks for ever.</summary>
    private sealed class StuckStream : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => 0;
        public override long Position { get => 0; set { } }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => 0;
        public override long Seek(long offset, SeekOrigin origin) => 0;
        public override void SetLength(long value) { }
        public override void Write(byte[] buffer, int offset, int count) => Thread.Sleep(Timeout.Infinite);
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken);
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => new(Task.Delay(Timeout.Infinite, cancellationToken));
    }

    [Fact]
    public void The_reply_budget_counts_what_small_lines_really_hold()
    {
        string? failure = null;
        var writer = new ConnectionWriter(new StuckStream(), maxPendingBytes: 64 * 1024, reason => failure = reason);
        // Token lines of 40 bytes: counting their text alone would let 1,638 of them (and about twice the memory) wait.
        int written = 0;
        while (failure is null && written < 10_000)
        {
            writer.Write(new byte[40]);
            written++;
        }
        Assert.NotNull(failure);
        Assert.InRange(written, 64 * 1024 / (40 + ConnectionWriter.PerLineOverhead), 64 * 1024 / (40 + ConnectionWriter.PerLineOverhead) + 2);
    }
}
