using System.Text.Json;
using EdgeLlm.Core.Sampling.Grammar;

namespace EdgeLlm.Commands;

/// <summary>Output constraint flags of run: <c>--grammar-file F</c> (GBNF), <c>--json-schema F</c>, <c>--format json</c>.</summary>
internal static class ConstraintArgs
{
    public static OutputConstraint? Read(ArgReader a)
    {
        string? grammarFile = a.Get("grammar-file");
        string? schemaFile = a.Get("json-schema");
        string? format = a.Get("format");
        int given = (grammarFile is null ? 0 : 1) + (schemaFile is null ? 0 : 1) + (format is null ? 0 : 1);
        if (given == 0) return null;
        if (given > 1) throw new CliException("give only one of --grammar-file, --json-schema and --format");
        try
        {
            if (format is not null)
                return format == "json" ? OutputConstraint.Json : throw new CliException($"--format must be 'json' (or use --json-schema F), got '{format}'");
            if (grammarFile is not null)
                return OutputConstraint.FromGbnf(InputFiles.ReadUtf8(grammarFile));
            string schemaText = InputFiles.ReadUtf8(schemaFile!);
            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(schemaText, new JsonDocumentOptions { MaxDepth = 64 });
            }
            catch (JsonException e)
            {
                throw new CliException($"'{schemaFile}' is not valid JSON: {e.Message}");
            }
            using (doc) return OutputConstraint.FromJsonSchema(doc.RootElement);
        }
        catch (GrammarException e)
        {
            throw new CliException($"{grammarFile ?? schemaFile}: {e.Message}");
        }
    }
}
