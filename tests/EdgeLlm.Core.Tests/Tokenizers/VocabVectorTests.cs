using EdgeLlm.Core.Tokenizers;

namespace EdgeLlm.Core.Tests.Tokenizers;

/// <summary>Every vector of the reference's own tokenizer tests, encoded as it does: no BOS, no special-token parsing.</summary>
public class VocabVectorTests
{
    public static TheoryData<int> LlamaSpmCases() => Indices("ggml-vocab-llama-spm.gguf");

    public static TheoryData<int> Gpt2Cases() => Indices("ggml-vocab-gpt-2.gguf");

    [Theory]
    [MemberData(nameof(LlamaSpmCases))]
    public void Llama_spm_vector(int index) => Check(TokenizerFixtures.LlamaSpm, "ggml-vocab-llama-spm.gguf", index);

    [Theory]
    [MemberData(nameof(Gpt2Cases))]
    public void Gpt2_vector(int index) => Check(TokenizerFixtures.Gpt2, "ggml-vocab-gpt-2.gguf", index);

    private static void Check(Tokenizer tokenizer, string vocab, int index)
    {
        var (text, expected) = VocabTestVectors.Load(vocab)[index];
        int[] actual = tokenizer.Encode(text, addBos: false, parseSpecial: false);
        Assert.True(expected.SequenceEqual(actual),
            $"input {Escape(text)}\nexpected {string.Join(' ', expected)}\nactual   {string.Join(' ', actual)}");

        // With a token budget the text is encoded word by word: a budget it fits gives the same ids, one it does not a prefix of them.
        Assert.Equal(expected, tokenizer.Encode(text, addBos: false, parseSpecial: false, maxTokens: expected.Length));
        if (expected.Length > 1)
        {
            int[] cut = tokenizer.Encode(text, addBos: false, parseSpecial: false, maxTokens: expected.Length / 2);
            Assert.InRange(cut.Length, expected.Length / 2 + 1, expected.Length);
            Assert.Equal(expected[..cut.Length], cut);
        }
    }

    private static TheoryData<int> Indices(string vocab)
    {
        var data = new TheoryData<int>();
        for (int i = 0; i < VocabTestVectors.Load(vocab).Count; i++) data.Add(i);
        return data;
    }

    private static string Escape(string s) => System.Text.Json.JsonSerializer.Serialize(s);
}
