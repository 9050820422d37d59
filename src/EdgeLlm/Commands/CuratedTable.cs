using System.Globalization;
using EdgeLlm.Models;

namespace EdgeLlm.Commands;

/// <summary>Prints the curated models for <c>edgellm pull --list</c>.</summary>
internal static class CuratedTable
{
    public static void Print(TextWriter output)
    {
        var inv = CultureInfo.InvariantCulture;
        output.WriteLine($"{"NAME",-14} {"SIZE",-8} {"RAM",-8} {"MODEL",-34} HUGGING FACE FILE");
        foreach (var m in CuratedModels.All)
            output.WriteLine(
                $"{m.Name,-14} {"~" + m.ApproxSizeGb.ToString("F1", inv) + " GB",-8} {"~" + m.ApproxRamGb.ToString("F1", inv) + " GB",-8} {m.Description,-34} {m.Repository}/{m.File}");
        output.WriteLine();
        output.WriteLine("Sizes and RAM are approximate (RAM: the file plus the KV cache at context_size 2048).");
        output.WriteLine($"Checksum of every file: {CuratedModel.ChecksumNote} (none is built in: no publisher's checksum could be");
        output.WriteLine("read where this table was made), and the download is verified against it.");
        output.WriteLine("Pull one with: edgellm pull NAME   (or any hf:OWNER/REPO/FILE.gguf, https URL, or ollama name such as llama3.2:1b)");
    }
}
