using System.Globalization;
using EdgeLlm.Core.Gguf;
using EdgeLlm.Models;

namespace EdgeLlm.Commands;

/// <summary><c>edgellm list [--models-dir D]</c>: the models in the store, with their architecture and quant type.</summary>
internal static class ListCommand
{
    public static int Run(string[] args)
    {
        var a = new ArgReader(args, new HashSet<string>());
        var store = ModelStore.Open(a.Get("models-dir"));
        a.RejectUnknown();
        if (a.Positionals.Count != 0) throw new CliException("usage: edgellm list [--models-dir D]");

        var inv = CultureInfo.InvariantCulture;
        var models = store.List();
        if (models.Count == 0) Console.WriteLine($"no models in {store.Directory} (get one with: edgellm pull --list)");
        else Console.WriteLine($"{"NAME",-36} {"SIZE",9} {"ARCH",-8} {"QUANT",-8} MODIFIED");
        foreach (var m in models)
        {
            var (arch, quant) = Describe(m.Path);
            Console.WriteLine($"{m.Name,-36} {(m.Size / 1e9).ToString("F2", inv) + " GB",9} {arch,-8} {quant,-8} {m.Modified.ToLocalTime().ToString("yyyy-MM-dd HH:mm", inv)}");
        }
        foreach (var p in store.Partials())
        {
            string of = p.ExpectedSize is long total && total > 0 ? $" of {total / 1e9:F2} GB ({100.0 * p.Size / total:F0}%)" : "";
            Console.WriteLine($"incomplete download: {p.Name}, {p.Size / 1e9:F2} GB{of}; the same pull resumes it, edgellm rm {p.Name} deletes it");
        }
        return 0;
    }

    /// <summary>Architecture and quant type from the header, or "invalid" for a file that does not parse.</summary>
    private static (string Arch, string Quant) Describe(string path)
    {
        try
        {
            using var file = GgufFile.Open(path);
            var s = ModelFileSummary.From(file);
            return (s.Architecture, s.FileType);
        }
        catch (Exception e) when (e is GgufException or IOException or UnauthorizedAccessException)
        {
            return ("invalid", "-");
        }
    }
}
