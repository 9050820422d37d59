namespace EdgeLlm.Core.Tests;

/// <summary>Locates <c>../shared/fixtures</c> relative to the repository root (the folder holding EdgeLlm.sln).</summary>
/// <remarks>A missing fixture folder is a test failure, never a skip: CI always has it.</remarks>
public static class Fixtures
{
    private static readonly Lazy<string> Root = new(Locate);

    public static string Dir => Root.Value;

    public static string Model(string fileName) => Existing(Path.Combine(Dir, "models", fileName));

    public static string Ref(string fileName) => Existing(Path.Combine(Dir, "refs", fileName));

    public static string Prompt(string fileName) => Existing(Path.Combine(Dir, "prompts", fileName));

    public static string Tokenizer(string fileName) => Existing(Path.Combine(Dir, "tokenizer", fileName));

    public static string RepoRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "EdgeLlm.sln"))) return dir.FullName;
            throw new InvalidOperationException($"EdgeLlm.sln not found above {AppContext.BaseDirectory}");
        }
    }

    private static string Locate()
    {
        string dir = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "fixtures"));
        if (!Directory.Exists(dir))
            throw new InvalidOperationException($"test fixtures missing: expected {dir} (../shared/fixtures beside the repository)");
        return dir;
    }

    private static string Existing(string path) =>
        File.Exists(path) ? path : throw new FileNotFoundException($"fixture file missing: {path}");
}
