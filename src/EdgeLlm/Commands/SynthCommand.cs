using System.Diagnostics;
using EdgeLlm.Bench;

namespace EdgeLlm.Commands;

/// <summary>
/// <c>edgellm synth --preset NAME --out F.gguf [--seed N] [--vocab V.gguf]</c>: a random-weight model of a real shape
/// (presets: <see cref="SyntheticPreset.All"/>), optionally with the tokenizer of another GGUF file.
/// </summary>
internal static class SynthCommand
{
    public static int Run(string[] args)
    {
        var a = new ArgReader(args, new HashSet<string>());
        string presetName = a.Require("preset");
        string path = a.Require("out");
        int seed = a.GetInt("seed", 0x5EED, 0);
        string? vocabPath = a.Get("vocab");
        a.RejectUnknown();

        SyntheticPreset preset;
        try { preset = SyntheticPreset.Get(presetName); }
        catch (ArgumentException e) { throw new CliException(e.Message); }

        var clock = Stopwatch.StartNew();
        string temp = path + ".partial";
        try
        {
            using var vocabulary = vocabPath is null ? null : Core.Gguf.GgufFile.Open(vocabPath);
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
                SyntheticModel.Write(preset, stream, (ulong)seed, vocabulary);
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            File.Delete(temp);
            throw new CliException($"cannot write '{path}': {e.Message}");
        }
        long bytes = new FileInfo(path).Length;
        Console.WriteLine($"wrote {path}: {preset.Name}, {bytes / 1e9:F2} GB in {clock.Elapsed.TotalSeconds:F1} s");
        return 0;
    }
}
