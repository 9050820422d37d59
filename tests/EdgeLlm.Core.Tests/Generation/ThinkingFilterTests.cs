using EdgeLlm.Core.Generation;

namespace EdgeLlm.Core.Tests.Generation;

public class ThinkingFilterTests
{
    private static string Run(params string[] pieces)
    {
        var f = new ThinkingFilter();
        return string.Concat(pieces.Select(f.Push)) + f.Flush();
    }

    [Fact]
    public void A_thought_is_removed_with_the_newlines_after_it() =>
        Assert.Equal("The light is on.", Run("<think>\nthe user wants", " the light</think>\n\nThe light is on."));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    public void Tags_split_across_pieces_anywhere_are_still_found(int size)
    {
        const string text = "A<think>hidden</think>B<think>more\nhidden</think>\n\nC";
        var pieces = Enumerable.Range(0, (text.Length + size - 1) / size).Select(i => text.Substring(i * size, Math.Min(size, text.Length - i * size))).ToArray();
        Assert.Equal("ABC", Run(pieces));
    }

    [Fact]
    public void Text_that_only_looks_like_the_start_of_a_tag_is_shown()
    {
        var f = new ThinkingFilter();
        Assert.Equal("a ", f.Push("a <th"));
        Assert.Equal("<th", f.Flush());
        Assert.Equal("x < y <thinking>", Run("x < y <thin", "king>"));
    }

    [Fact]
    public void An_unclosed_thought_is_never_shown() => Assert.Equal("before ", Run("before <think>and a thought that ", "is cut off"));
}
