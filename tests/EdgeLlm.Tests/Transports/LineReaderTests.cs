using System.Text;
using EdgeLlm.Transports.Socket;

namespace EdgeLlm.Tests.Transports;

public class LineReaderTests
{
    [Fact]
    public async Task Big_lines_are_read_whole_and_their_pooled_buffer_is_given_back_at_the_next_line()
    {
        string big = new('x', 300_000);
        string text = $"small\n{big}\r\nnext\n{new string('y', 2_000)}\nlast";
        var reader = new LineReader(new MemoryStream(Encoding.UTF8.GetBytes(text)), maxLineBytes: 1_000_000);

        async Task<string> Next()
        {
            var (kind, line) = await reader.ReadAsync(CancellationToken.None);
            Assert.Equal(LineReader.LineKind.Line, kind);
            return Encoding.UTF8.GetString(line.Span);
        }

        Assert.Equal("small", await Next());
        Assert.False(reader.HoldsBigLine);
        Assert.Equal(big, await Next());
        Assert.True(reader.HoldsBigLine);
        Assert.Equal("next", await Next());
        Assert.False(reader.HoldsBigLine);
        Assert.Equal(new string('y', 2_000), await Next());
        Assert.Equal("last", await Next());
        Assert.Equal(LineReader.LineKind.EndOfStream, (await reader.ReadAsync(CancellationToken.None)).Kind);
    }

    [Fact]
    public async Task An_oversized_line_is_reported_once_and_holds_no_buffer()
    {
        string text = $"{new string('z', 50_000)}\nafter\n";
        var reader = new LineReader(new MemoryStream(Encoding.UTF8.GetBytes(text)), maxLineBytes: 20_000);
        Assert.Equal(LineReader.LineKind.Oversized, (await reader.ReadAsync(CancellationToken.None)).Kind);
        Assert.False(reader.HoldsBigLine);
        var (kind, line) = await reader.ReadAsync(CancellationToken.None);
        Assert.Equal((LineReader.LineKind.Line, "after"), (kind, Encoding.UTF8.GetString(line.Span)));
    }
}

public class BigLineTrimmerTests
{
    [Fact]
    public void Collects_once_after_a_burst_of_big_lines_is_over_and_not_while_it_goes_on()
    {
        long bytes = 0;
        int collections = 0;
        var trimmer = new BigLineTrimmer(() => bytes, () => collections++);

        Assert.False(trimmer.Tick()); // nothing yet
        bytes += 3 * BigLineTrimmer.Threshold;
        Assert.False(trimmer.Tick()); // still arriving this second
        bytes += BigLineTrimmer.Threshold;
        Assert.False(trimmer.Tick());
        Assert.True(trimmer.Tick()); // a quiet second: the burst is over
        Assert.Equal(1, collections);
        Assert.False(trimmer.Tick()); // nothing new since
        bytes += BigLineTrimmer.Threshold / 4;
        Assert.False(trimmer.Tick());
        Assert.False(trimmer.Tick()); // quiet, but too little to be worth a collection
        Assert.Equal(1, collections);
    }
}
