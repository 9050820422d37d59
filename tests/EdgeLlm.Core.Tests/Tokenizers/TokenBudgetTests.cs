using System.Text;
using EdgeLlm.Core.Tokenizers;

namespace EdgeLlm.Core.Tests.Tokenizers;

/// <summary>
/// A token budget stops encoding one word past the limit: a prompt far over a limit costs the limit's work, not its own.
/// Checked by what comes back (the ids stop right after the limit), not by time.
/// </summary>
public class TokenBudgetTests
{
    public static TheoryData<string> Vocabularies() => ["llama-spm", "gpt-2", "stories260K", "llama3-tiny"];

    private static Tokenizer Load(string name) => name switch
    {
        "llama-spm" => TokenizerFixtures.LlamaSpm,
        "gpt-2" => TokenizerFixtures.Gpt2,
        "stories260K" => TokenizerFixtures.Model("stories260K.gguf"),
        _ => TokenizerFixtures.Model("llama3-tiny-f16.gguf"),
    };

    private const string Sentence = "Once upon a time, there was a little girl named Lily. She liked to play outside!\n";

    [Theory]
    [MemberData(nameof(Vocabularies))]
    public void Encoding_stops_one_word_past_the_budget_with_the_ids_of_a_full_encoding(string vocabulary)
    {
        var tokenizer = Load(vocabulary);
        string text = new StringBuilder().Insert(0, Sentence, 10_000).ToString(); // 820 KB, about 200,000 tokens
        int longestWord = Sentence.Split(' ').Max(w => tokenizer.Encode(" " + w, addBos: false, parseSpecial: false).Length);

        var output = new List<int>();
        bool complete = tokenizer.Encode(text, output, addBos: true, parseSpecial: false, maxTokens: 100);

        Assert.False(complete);
        Assert.InRange(output.Count, 101, 100 + longestWord);
        // The ids up to the stop are those of encoding the whole text (here: its first sentences, which hold them).
        int[] head = tokenizer.Encode(new StringBuilder().Insert(0, Sentence, 20).ToString(), addBos: true, parseSpecial: false);
        Assert.Equal(head[..output.Count], output);
    }

    [Theory]
    [MemberData(nameof(Vocabularies))]
    public void A_text_within_the_budget_is_encoded_whole(string vocabulary)
    {
        var tokenizer = Load(vocabulary);
        string text = new StringBuilder().Insert(0, Sentence, 5).ToString() + "  two  spaces and   three, 123456 ünïcödé 🦙 end ";
        int[] full = tokenizer.Encode(text, addBos: false, parseSpecial: false);
        var output = new List<int>();
        Assert.True(tokenizer.Encode(text, output, addBos: false, parseSpecial: false, maxTokens: full.Length));
        Assert.Equal(full, output);
    }

    [Fact]
    public void SentencePiece_words_are_not_cut_where_a_piece_spans_a_space()
    {
        // "b▁c" spans a space: cutting the text before every space would give b ▁ c instead of b▁c.
        var tokenizer = SyntheticVocab.Spm(("b▁", TokenKind.Normal), ("b▁c", TokenKind.Normal));
        const string text = "ab c ab c ab c";
        int[] full = tokenizer.Encode(text, addBos: false, parseSpecial: false);
        Assert.Contains(tokenizer.FindToken("b▁c")!.Value, full);
        Assert.Equal(full, tokenizer.Encode(text, addBos: false, parseSpecial: false, maxTokens: full.Length));
    }

    [Fact]
    public void The_budget_counts_a_BOS_and_special_tokens_too()
    {
        var tokenizer = TokenizerFixtures.LlamaSpm;
        var output = new List<int>();
        Assert.False(tokenizer.Encode("Hello world", output, addBos: true, parseSpecial: false, maxTokens: 0));
        Assert.Equal([tokenizer.BosId], output);
    }
}
