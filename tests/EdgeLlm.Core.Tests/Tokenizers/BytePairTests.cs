using EdgeLlm.Core.Tokenizers;

namespace EdgeLlm.Core.Tests.Tokenizers;

/// <summary>Byte-level BPE behaviours that depend on <c>tokenizer.ggml.pre</c>, on a hand-made vocabulary.</summary>
public class BytePairTests
{
    /// <summary>All 256 byte characters, then "ab" (reachable by merge), "abc" (only reachable whole), and an end-of-turn marker.</summary>
    private static Tokenizer Build(string pre)
    {
        var tokens = Enumerable.Range(0, 256).Select(b => ByteToUnicode.Encode((byte)b).ToString()).ToList();
        tokens.AddRange(["ab", "abc", "<|eot_id|>"]);
        return Tokenizer.Create(new TokenizerMetadata("gpt2", [.. tokens])
        {
            Pre = pre,
            Merges = ["a b"],
            TokenTypes = [.. tokens.Select(t => t == "<|eot_id|>" ? 3L : 1L)],
            BosId = 0,
            EosId = 1,
        });
    }

    [Fact]
    public void Llama3_takes_a_whole_word_token_without_merging()
    {
        var llama3 = Build("llama-bpe");
        var gpt2 = Build("gpt-2");
        int ab = llama3.FindToken("ab")!.Value, abc = llama3.FindToken("abc")!.Value, c = llama3.FindToken("c")!.Value;
        Assert.Equal([abc], llama3.Encode("abc", addBos: false, parseSpecial: false));
        Assert.Equal([ab, c], gpt2.Encode("abc", addBos: false, parseSpecial: false));
    }

    [Fact]
    public void Bos_default_follows_the_pre_tokenizer()
    {
        Assert.True(Build("llama-bpe").AddBos);
        Assert.False(Build("qwen2").AddBos);
        Assert.False(Build("gpt-2").AddBos);
    }

    [Fact]
    public void End_of_turn_marker_ends_generation()
    {
        var tok = Build("llama-bpe");
        int eot = tok.FindToken("<|eot_id|>")!.Value;
        Assert.Equal(eot, tok.EndOfTurnId);
        Assert.Equal([1, eot], tok.EndOfGenerationIds.Order());
        Assert.Equal([eot], tok.Encode("<|eot_id|>", addBos: false, parseSpecial: true));
        Assert.DoesNotContain(eot, tok.Encode("<|eot_id|>", addBos: false, parseSpecial: false));
    }

    [Fact]
    public void Any_unicode_text_round_trips_through_bytes()
    {
        var tok = Build("qwen2");
        const string text = "Zoë 🦙 \u0000\u00FF\uFFFD 中文\r\n";
        Assert.Equal(text, tok.Decode(tok.Encode(text, addBos: false, parseSpecial: false), stripLeadingSpace: false));
    }
}
