using EdgeLlm.Http;

namespace EdgeLlm.Tests.Http;

/// <summary>A thinking model's thought goes apart from its answer, even when the markers arrive split over pieces.</summary>
public sealed class ThinkSplitterTests
{
    [Fact]
    public void The_thought_and_the_answer_come_apart_across_piece_boundaries()
    {
        var splitter = new ThinkSplitter();
        var thought = "";
        var answer = "";
        foreach (string piece in (string[])["<th", "ink>\nThe user", " wants light.</th", "ink>\n\nDone", "."])
        {
            var (t, a) = splitter.Push(piece);
            thought += t;
            answer += a;
        }
        var (ft, fa) = splitter.Finish();
        Assert.Equal("The user wants light.", thought + ft);
        Assert.Equal("Done.", answer + fa);
    }

    [Fact]
    public void An_answer_without_a_thought_streams_as_it_comes()
    {
        var splitter = new ThinkSplitter();
        Assert.Equal(("", ""), splitter.Push("<"));
        Assert.Equal(("", "<b>Hi"), splitter.Push("b>Hi"));
        Assert.Equal(("", " there"), splitter.Push(" there"));
    }

    [Fact]
    public void An_unfinished_thought_stays_thought()
    {
        var splitter = new ThinkSplitter();
        splitter.Push("<think>still thinking</");
        Assert.Equal(("</", ""), splitter.Finish());
    }
}
