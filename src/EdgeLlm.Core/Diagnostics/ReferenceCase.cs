using System.Text.Json;

namespace EdgeLlm.Core.Diagnostics;

/// <summary>One llama.cpp reference run (shared/fixtures/refs/NAME.json + NAME.logits.f32): tokens, greedy continuation, logits rows.</summary>
public sealed class ReferenceCase
{
    public required string Name { get; init; }
    public required string ModelFile { get; init; }
    public required string PromptFile { get; init; }
    public required int[] PromptTokens { get; init; }
    public required int[] GreedyTokens { get; init; }
    public required int[] LogitsPositions { get; init; }
    public required int VocabSize { get; init; }
    public required float[] Logits { get; init; }
    public required double NoiseMaxAbs { get; init; }
    public required double NoiseMeanAbs { get; init; }
    public required int GreedyAgree { get; init; }

    public ReadOnlySpan<float> Row(int r) => Logits.AsSpan(r * VocabSize, VocabSize);

    /// <summary>Names (file names without .json) of every reference in <paramref name="refsDir"/>.</summary>
    public static IEnumerable<string> Names(string refsDir) =>
        Directory.GetFiles(refsDir, "*.json").Order(StringComparer.Ordinal).Select(p => Path.GetFileNameWithoutExtension(p));

    public static ReferenceCase Load(string refsDir, string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(refsDir, name + ".json")));
        var r = doc.RootElement;
        int[] Ints(string key) => r.GetProperty(key).EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var noise = r.GetProperty("self_noise");
        byte[] raw = File.ReadAllBytes(Path.Combine(refsDir, r.GetProperty("logits_file").GetString()!));
        var logits = new float[raw.Length / 4];
        Buffer.BlockCopy(raw, 0, logits, 0, logits.Length * 4);
        int vocab = r.GetProperty("n_vocab").GetInt32();
        var positions = Ints("logits_positions");
        if (positions.Length * vocab != logits.Length)
            throw new InvalidDataException($"{name}: logits file holds {logits.Length} floats, expected {positions.Length} rows x {vocab}");
        return new ReferenceCase
        {
            Name = name,
            ModelFile = r.GetProperty("model").GetString()!,
            PromptFile = r.GetProperty("prompt_file").GetString()!,
            PromptTokens = Ints("prompt_tokens"),
            GreedyTokens = Ints("greedy_tokens"),
            LogitsPositions = positions,
            VocabSize = vocab,
            Logits = logits,
            NoiseMaxAbs = noise.GetProperty("max_abs").GetDouble(),
            NoiseMeanAbs = noise.GetProperty("mean_abs").GetDouble(),
            GreedyAgree = noise.GetProperty("greedy_agree").GetInt32(),
        };
    }
}
