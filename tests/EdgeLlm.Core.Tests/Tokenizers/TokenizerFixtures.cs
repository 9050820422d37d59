using System.Collections.Concurrent;
using EdgeLlm.Core.Gguf;
using EdgeLlm.Core.Tokenizers;

namespace EdgeLlm.Core.Tests.Tokenizers;

/// <summary>Tokenizers of the fixture files, loaded once per test run (the 32k vocabularies take a while to index).</summary>
internal static class TokenizerFixtures
{
    private static readonly ConcurrentDictionary<string, Lazy<Tokenizer>> Cache = new();

    public static Tokenizer LlamaSpm => FromPath(Fixtures.Tokenizer("ggml-vocab-llama-spm.gguf"));

    public static Tokenizer Gpt2 => FromPath(Fixtures.Tokenizer("ggml-vocab-gpt-2.gguf"));

    public static Tokenizer Model(string fileName) => FromPath(Fixtures.Model(fileName));

    public static Tokenizer FromPath(string path) =>
        Cache.GetOrAdd(path, p => new Lazy<Tokenizer>(() =>
        {
            using var file = GgufFile.Open(p);
            return Tokenizer.FromGguf(file);
        })).Value;
}

/// <summary>The reference's tokenizer test vectors: <c>.inp</c> strings separated by a marker line, <c>.out</c> one line of ids each.</summary>
internal static class VocabTestVectors
{
    private const string Separator = "\n__ggml_vocab_test__\n";

    public static IReadOnlyList<(string Text, int[] Ids)> Load(string vocabFile)
    {
        string input = File.ReadAllText(Fixtures.Tokenizer(vocabFile + ".inp"));
        string[] outputs = File.ReadAllLines(Fixtures.Tokenizer(vocabFile + ".out"));

        var texts = new List<string>();
        for (int pos = 0; pos < input.Length;)
        {
            int next = input.IndexOf(Separator, pos, StringComparison.Ordinal);
            if (next < 0)
            {
                texts.Add(input[pos..]);
                break;
            }
            texts.Add(input[pos..next]);
            pos = next + Separator.Length;
        }
        if (texts.Count != outputs.Length)
            throw new InvalidDataException($"{vocabFile}: {texts.Count} inputs but {outputs.Length} outputs");

        return [.. texts.Select((t, i) => (t, outputs[i].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray()))];
    }
}
