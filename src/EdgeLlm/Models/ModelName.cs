namespace EdgeLlm.Models;

/// <summary>
/// A model's name in the store: its file name without ".gguf". Names are plain file names (letters, digits, '.', '_',
/// '-'), so a name can never reach outside the store (rm, the config key); an ollama tag's ':' becomes '_' (llama3.2:1b is stored as llama3.2_1b, apart from the curated llama3.2-1b).
/// </summary>
public static class ModelName
{
    public const string Extension = ".gguf";

    /// <summary>"llama3.2:1b" → "llama3.2_1b", "Foo.gguf" → "Foo"; the result may still be invalid (check <see cref="IsValid"/>).</summary>
    public static string Normalize(string nameOrFile)
    {
        string name = nameOrFile.Trim().Replace(':', '_');
        return name.EndsWith(Extension, StringComparison.OrdinalIgnoreCase) ? name[..^Extension.Length] : name;
    }

    public static bool IsValid(string name) =>
        name.Length is > 0 and <= 200 && name[0] != '.' && name != ".." &&
        name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    /// <summary>The store name for <paramref name="nameOrFile"/>, or a one-line error naming it.</summary>
    public static string Require(string nameOrFile)
    {
        string name = Normalize(nameOrFile);
        return IsValid(name) ? name
            : throw new ArgumentException($"'{nameOrFile}' is not a valid model name (letters, digits, '.', '_' and '-'; at most 200 characters)");
    }
}
