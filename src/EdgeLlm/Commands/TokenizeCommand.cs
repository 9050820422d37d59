using System.Text.Json;
using EdgeLlm.Core.Tokenizers;

namespace EdgeLlm.Commands;

/// <summary><c>edgellm tokenize --model M (--text T | --file F) [--no-bos] [--special] [--json]</c>.</summary>
internal static class TokenizeCommand
{
    public static int Run(string[] args)
    {
        var a = new ArgReader(args, new HashSet<string> { "no-bos", "json", "special" }, CliAliases.Tokenize);
        string model = a.Require("model");
        string? text = a.Get("text");
        string? path = a.Get("file");
        bool noBos = a.Flag("no-bos"), json = a.Flag("json"), special = a.Flag("special");
        a.RejectUnknown();
        if ((text is null) == (path is null)) throw new CliException("give exactly one of --text or --file");
        text ??= InputFiles.ReadUtf8(path!);

        using var file = Config.ModelFile.Open(model);
        var tokenizer = Tokenizer.FromGguf(file);
        int[] ids = tokenizer.Encode(text, addBos: !noBos && tokenizer.AddBos, parseSpecial: special);
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(ids, CliJsonContext.Default.Int32Array));
            return 0;
        }
        foreach (int id in ids)
            Console.WriteLine($"{id,6} -> '{tokenizer.TokenText(id)}'");
        return 0;
    }
}
