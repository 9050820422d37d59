using System.Text;
using EdgeLlm.Core.Sampling;

namespace EdgeLlm.Core.Tests.Sampling;

public class StopStringMatcherTests
{
    /// <summary>Feeds pieces until a stop; returns everything emitted (including the final flush) and whether it stopped.</summary>
    private static (string Text, bool Stopped, string? Stop) Feed(StopStringMatcher m, params string[] pieces)
    {
        var sb = new StringBuilder();
        foreach (string p in pieces)
        {
            var r = m.Push(p);
            sb.Append(r.Text);
            if (r.Stopped)
                return (sb.ToString(), true, r.StopString);
        }
        sb.Append(m.Flush());
        return (sb.ToString(), false, null);
    }

    [Fact]
    public void Text_without_stops_passes_through()
    {
        var m = new StopStringMatcher("### Instruction:");
        Assert.Equal(("Hello world", false, (string?)null), Feed(m, "Hello", " wor", "ld"));
    }

    [Fact]
    public void Stop_string_split_across_many_pieces()
    {
        var m = new StopStringMatcher("### Instruction:");
        var r1 = m.Push("The answer is 4.\n\n#");
        Assert.Equal("The answer is 4.\n\n", r1.Text);
        Assert.False(r1.Stopped);
        Assert.Equal("", m.Push("##").Text);
        Assert.Equal("", m.Push(" Instr").Text);
        var r = m.Push("uction: more text");
        Assert.True(r.Stopped);
        Assert.Equal("", r.Text);
        Assert.Equal("### Instruction:", r.StopString);
        Assert.True(m.IsStopped);
        Assert.Equal(new StopMatch("", true, "### Instruction:"), m.Push("ignored"));
        Assert.Equal("", m.Flush());
    }

    [Fact]
    public void Every_split_point_gives_the_same_result()
    {
        const string text = "abc<|im_end|>def";
        for (int cut1 = 0; cut1 <= text.Length; cut1++)
        {
            for (int cut2 = cut1; cut2 <= text.Length; cut2++)
            {
                var m = new StopStringMatcher("<|im_end|>");
                var result = Feed(m, text[..cut1], text[cut1..cut2], text[cut2..]);
                Assert.Equal(("abc", true, (string?)"<|im_end|>"), result);
            }
        }
    }

    [Fact]
    public void Partial_prefix_that_is_not_a_stop_is_released()
    {
        var m = new StopStringMatcher("</s>");
        var r = m.Push("a </");
        Assert.Equal("a ", r.Text);
        Assert.Equal(2, m.HeldLength);
        r = m.Push("div> b");
        Assert.Equal("</div> b", r.Text);
        Assert.False(r.Stopped);
        Assert.Equal(0, m.HeldLength);
    }

    [Fact]
    public void Held_text_is_released_by_flush()
    {
        var m = new StopStringMatcher("STOP");
        Assert.Equal("end ", m.Push("end ST").Text);
        Assert.Equal("ST", m.Flush());
        Assert.Equal("", m.Flush());
    }

    [Fact]
    public void Overlapping_prefix_restarts_correctly()
    {
        // "aab" inside "aaab": the first 'a' must be released, the rest matches.
        var m = new StopStringMatcher("aab");
        Assert.Equal(("x a", true, (string?)"aab"), Feed(m, "x a", "a", "a", "b", "tail"));
    }

    [Fact]
    public void Multiple_stops_earliest_wins()
    {
        var m = new StopStringMatcher("\nUser:", "###", "</s>");
        Assert.Equal(("Sure.", true, (string?)"</s>"), Feed(m, "Sure.</", "s> ### \nUser:"));

        m = new StopStringMatcher("\nUser:", "###");
        Assert.Equal(("Hi", true, (string?)"\nUser:"), Feed(m, "Hi\nUs", "er: ###"));

        // A held prefix of one stop turns into another stop.
        m = new StopStringMatcher("abcd", "bc");
        Assert.Equal(("a", true, (string?)"bc"), Feed(m, "ab", "cx"));
    }

    [Fact]
    public void Same_position_prefers_the_longer_stop()
    {
        var m = new StopStringMatcher("<|im", "<|im_end|>");
        var r = m.Push("ok<|im_end|>");
        Assert.Equal(new StopMatch("ok", true, "<|im_end|>"), r);
    }

    [Fact]
    public void Stop_at_the_very_start()
    {
        var m = new StopStringMatcher("<|eot_id|>");
        Assert.Equal(new StopMatch("", true, "<|eot_id|>"), m.Push("<|eot_id|>Hello"));

        m = new StopStringMatcher("<|eot_id|>");
        Assert.Equal(("", true, (string?)"<|eot_id|>"), Feed(m, "<|eot", "_id|>"));
    }

    [Fact]
    public void Unicode_stops_and_surrogate_pairs()
    {
        var m = new StopStringMatcher("停止", "👋bye");
        Assert.Equal(("你好", true, (string?)"停止"), Feed(m, "你好停", "止了"));

        // emoji stop split inside the surrogate pair
        string wave = "👋";
        m = new StopStringMatcher("👋bye");
        Assert.Equal(("hi ", true, (string?)"👋bye"), Feed(m, "hi " + wave[0], wave[1] + "b", "ye!"));

        // a lone high surrogate at the end of a piece is never released on its own
        m = new StopStringMatcher("zz");
        var r = m.Push("a" + "😀"[0]);
        Assert.Equal("a", r.Text);
        r = m.Push("😀"[1] + "b");
        Assert.Equal("😀b", r.Text);

        m = new StopStringMatcher("é!");
        Assert.Equal(("café", false, (string?)null), Feed(m, "caf", "é"));
    }

    [Fact]
    public void No_stop_strings_is_a_pass_through_and_empty_stops_are_rejected()
    {
        var m = new StopStringMatcher();
        Assert.Equal(new StopMatch("abc", false), m.Push("abc"));
        Assert.Throws<ArgumentException>(() => new StopStringMatcher("ok", ""));
    }

    [Fact]
    public void Reset_clears_state()
    {
        var m = new StopStringMatcher("END");
        m.Push("xEN");
        m.Push("D");
        Assert.True(m.IsStopped);
        m.Reset();
        Assert.False(m.IsStopped);
        Assert.Equal(("again", false, (string?)null), Feed(m, "again"));
    }
}
