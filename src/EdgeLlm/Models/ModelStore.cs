namespace EdgeLlm.Models;

/// <summary>
/// The directory of pulled models: NAME.gguf files, plus NAME.gguf.partial (and its .json record) while a download is
/// incomplete. Only complete, verified files carry the .gguf name, so a partial file is never taken for a model.
/// </summary>
public sealed class ModelStore(string directory)
{
    public const string PartialSuffix = ".partial";
    public const string RecordSuffix = ".partial.json";

    public string Directory { get; } = directory;

    /// <summary>The store at <paramref name="setting"/> or the default location (<see cref="ModelStoreLocation"/>).</summary>
    public static ModelStore Open(string? setting) => new(ModelStoreLocation.Resolve(setting));

    public string PathFor(string name) => Path.Combine(Directory, name + ModelName.Extension);
    public string PartialPathFor(string name) => PathFor(name) + PartialSuffix;
    public string RecordPathFor(string name) => PathFor(name) + RecordSuffix;

    /// <summary>The file of model <paramref name="nameOrFile"/> when the store has it, else null.</summary>
    public string? Find(string nameOrFile)
    {
        string name = ModelName.Normalize(nameOrFile);
        if (!ModelName.IsValid(name)) return null;
        string path = PathFor(name);
        return File.Exists(path) ? path : null;
    }

    public IReadOnlyList<StoredModel> List()
    {
        if (!System.IO.Directory.Exists(Directory)) return [];
        return new DirectoryInfo(Directory).EnumerateFiles("*" + ModelName.Extension)
            .Where(f => ModelName.IsValid(ModelName.Normalize(f.Name)))
            .Select(f => new StoredModel(ModelName.Normalize(f.Name), f.FullName, f.Length, f.LastWriteTimeUtc))
            .OrderBy(m => m.Name, StringComparer.Ordinal)
            .ToList();
    }

    public IReadOnlyList<PartialDownload> Partials()
    {
        if (!System.IO.Directory.Exists(Directory)) return [];
        return new DirectoryInfo(Directory).EnumerateFiles("*" + ModelName.Extension + PartialSuffix)
            .Select(f =>
            {
                string name = ModelName.Normalize(f.Name[..^PartialSuffix.Length]);
                return new PartialDownload(name, f.FullName, f.Length, PartialRecord.TryRead(RecordPathFor(name))?.Size);
            })
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// Deletes model <paramref name="name"/>, any partial download of it, and its interleaved weight cache in
    /// <paramref name="weightCacheDirectory"/> (the cache is named after the model's full path). Returns the files deleted.
    /// </summary>
    public IReadOnlyList<string> Remove(string name, string? weightCacheDirectory)
    {
        var deleted = new List<string>();
        string model = PathFor(name);
        var candidates = new List<string> { model, PartialPathFor(name), RecordPathFor(name) };
        if (weightCacheDirectory is not null)
            candidates.Add(Path.Combine(weightCacheDirectory, Core.Model.InterleavedWeightCache.FileNameFor(model)));
        foreach (string path in candidates)
        {
            if (!File.Exists(path)) continue;
            File.Delete(path);
            deleted.Add(path);
        }
        return deleted;
    }

    /// <summary>
    /// The config key <c>model</c> and <c>--model</c>: a path is used as it is; a bare name that is no file here but a
    /// model in the store becomes that model's path. Anything else comes back unchanged (the caller reports it).
    /// </summary>
    public static string ResolveModelSetting(string value, string? modelsDirSetting)
    {
        if (File.Exists(value) || value.Contains('/')) return value;
        return Open(modelsDirSetting).Find(value) ?? value;
    }
}
