using System.Globalization;
using System.Text.Json;
using EdgeLlm.Core.Gguf;

namespace EdgeLlm.Commands;

/// <summary><c>edgellm info MODEL [--json]</c>: what a GGUF file holds, without loading the weights.</summary>
internal static class InfoCommand
{
    /// <summary>Whether the engine loads this file (every tensor and key understood), with the KV cost, or why not.</summary>
    private static string RunsHere(GgufFile file) => Models.ModelCompatibility.Check(file).Verdict;

    public static int Run(string[] args)
    {
        var a = new ArgReader(args, new HashSet<string> { "json" });
        bool json = a.Flag("json");
        if (a.Positionals.Count != 1) throw new CliException("usage: edgellm info <model.gguf> [--json]");
        a.RejectUnknown();

        using var file = Config.ModelFile.Open(a.Positionals[0]);
        var s = ModelFileSummary.From(file);
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(s, CliJsonContext.Default.ModelFileSummary));
            return 0;
        }

        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine($"file:            {file.Path} ({s.FileBytes.ToString("N0", inv)} bytes, GGUF v{s.GgufVersion})");
        Console.WriteLine($"architecture:    {s.Architecture}");
        Console.WriteLine($"name:            {s.Name ?? "(none)"}");
        Console.WriteLine($"file type:       {s.FileType}");
        Console.WriteLine($"vocab size:      {s.VocabSize}");
        Console.WriteLine($"embedding:       {s.EmbeddingLength}");
        Console.WriteLine($"layers:          {s.BlockCount}");
        Console.WriteLine($"heads:           {s.HeadCount}");
        Console.WriteLine($"kv heads:        {s.HeadCountKv}");
        Console.WriteLine($"feed forward:    {s.FeedForwardLength}");
        Console.WriteLine($"context length:  {s.ContextLength}");
        Console.WriteLine($"rope freq base:  {s.RopeFreqBase.ToString(inv)}");
        Console.WriteLine($"tensors:         {s.TensorCount}");
        foreach (var (type, bytes) in s.BytesPerType)
            Console.WriteLine($"  {type,-6} {bytes.ToString("N0", inv),16} bytes");
        Console.WriteLine($"tensor bytes:    {s.TensorBytes.ToString("N0", inv)} ({s.TensorBytes / 1048576.0:F2} MiB)");
        Console.WriteLine($"runs here:       {RunsHere(file)}");
        return 0;
    }
}
