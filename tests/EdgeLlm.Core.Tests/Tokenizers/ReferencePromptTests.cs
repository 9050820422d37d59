using System.Text;
using System.Text.Json;

namespace EdgeLlm.Core.Tests.Tokenizers;

/// <summary>
/// The prompt tokens of every reference run: the fixture prompt with BOS where the vocabulary adds one (not Qwen's), and
/// no special-token parsing.
/// </summary>
public class ReferencePromptTests
{
    public static TheoryData<string> RefFiles()
    {
        var data = new TheoryData<string>();
        foreach (string path in Directory.GetFiles(Path.Combine(Fixtures.Dir, "refs"), "*.json").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(path));
        return data;
    }

    [Theory]
    [MemberData(nameof(RefFiles))]
    public void Prompt_tokens_match_the_reference(string refFile)
    {
        using var json = JsonDocument.Parse(File.ReadAllBytes(Fixtures.Ref(refFile)));
        var root = json.RootElement;
        string model = root.GetProperty("model").GetString()!;
        string promptFile = root.GetProperty("prompt_file").GetString()!;
        int[] expected = [.. root.GetProperty("prompt_tokens").EnumerateArray().Select(e => e.GetInt32())];

        // Decode the bytes strictly: a stray BOM or invalid byte would be a fixture problem, not a tokenizer one.
        string prompt = new UTF8Encoding(false, true).GetString(File.ReadAllBytes(Fixtures.Prompt(promptFile)));
        var tokenizer = TokenizerFixtures.Model(model);
        int[] actual = tokenizer.Encode(prompt, addBos: tokenizer.AddBos, parseSpecial: false);

        Assert.Equal(tokenizer.AddBos, expected[0] == tokenizer.BosId);
        Assert.Equal(tokenizer.VocabSize, root.GetProperty("n_vocab").GetInt32());
        Assert.True(expected.SequenceEqual(actual), $"expected {string.Join(' ', expected)}\nactual   {string.Join(' ', actual)}");
    }
}
