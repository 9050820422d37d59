using System.Text.Json;

namespace EdgeLlm.Tests.Commands;

/// <summary><c>edgellm run --json-schema / --grammar-file / --format json</c> on the random tiny-q4_0 model at temperature 1.0.</summary>
[Collection("console")]
public sealed class ConstrainedRunTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edgellm-grammar-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteFile(string name, string text)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static (int Exit, string Out, string Err) Run(params string[] extra) =>
        Cli.Run(["run", "--model", Fixtures.Model("tiny-q4_0.gguf"), "--prompt", "Give JSON", "--template", "raw", "--temp", "1.0", "--threads", "1", .. extra]);

    [Fact]
    public void Json_schema_file_gives_valid_answers_at_temperature_one()
    {
        string schema = WriteFile("s.json", """{"type":"object","properties":{"on":{"type":"boolean"},"n":{"type":"integer","minimum":1,"maximum":3}},"required":["on","n"]}""");
        for (int seed = 1; seed <= 5; seed++)
        {
            var (exit, stdout, stderr) = Run("--json-schema", schema, "--seed", $"{seed}", "--max-tokens", "64");
            Assert.True(exit == 0, stderr);
            Assert.Contains("finish: stop", stderr);
            using var doc = JsonDocument.Parse(stdout);
            Assert.InRange(doc.RootElement.GetProperty("n").GetInt32(), 1, 3);
            Assert.True(doc.RootElement.GetProperty("on").ValueKind is JsonValueKind.True or JsonValueKind.False);
        }
    }

    [Fact]
    public void Grammar_file_and_format_json_constrain_the_answer()
    {
        string grammar = WriteFile("g.gbnf", "root ::= \"light \" (\"on\" | \"off\")\n");
        var (exit, stdout, stderr) = Run("--grammar-file", grammar, "--seed", "2");
        Assert.True(exit == 0, stderr);
        Assert.Matches("^light (on|off)\n$", stdout);
        (exit, stdout, stderr) = Run("--format", "json", "--seed", "4", "--max-tokens", "24");
        Assert.True(exit == 0, stderr);
        Assert.NotEqual("", stdout.Trim());
    }

    [Fact]
    public void Bad_grammar_and_schema_files_are_clear_errors()
    {
        string grammar = WriteFile("bad.gbnf", "root ::= item\nitem ::= [a-z\n");
        var (exit, _, stderr) = Run("--grammar-file", grammar);
        Assert.Equal(2, exit);
        Assert.Equal($"error: {grammar}: unterminated character class at line 2, column 10", stderr.Trim());
        string schema = WriteFile("bad.json", """{"type":"string","format":"uri"}""");
        (exit, _, stderr) = Run("--json-schema", schema);
        Assert.Equal(2, exit);
        Assert.Contains("json_schema at #/format: 'format' is not supported", stderr);
        (exit, _, stderr) = Run("--format", "yaml");
        Assert.Equal(2, exit);
        Assert.Contains("--format must be 'json'", stderr);
    }
}
