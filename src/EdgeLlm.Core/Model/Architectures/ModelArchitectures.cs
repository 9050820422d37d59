using EdgeLlm.Core.Gguf;

namespace EdgeLlm.Core.Model.Architectures;

/// <summary>The architectures this engine runs, and the one place a GGUF file's architecture is decided.</summary>
public static class ModelArchitectures
{
    private static readonly ModelArchitecture[] All =
    [
        new LlamaArchitecture(),
        new Qwen2Architecture(),
        new Qwen3Architecture(),
        new Phi3Architecture(),
    ];

    public static IReadOnlyList<ModelArchitecture> Supported => All;

    /// <summary>The architecture of <paramref name="file"/>.</summary>
    /// <exception cref="GgufException">No <c>general.architecture</c>, or one this engine does not run.</exception>
    public static ModelArchitecture For(GgufFile file)
    {
        string name = file.GetStringOrNull("general.architecture") ?? throw new GgufException("metadata 'general.architecture' is missing");
        return All.FirstOrDefault(a => a.Name == name)
            ?? throw new GgufException($"unsupported model architecture '{name}': EdgeLlm runs {string.Join(", ", All.Select(a => $"'{a.Name}' ({a.Families})"))}");
    }

    /// <summary>Whether this engine runs the file's architecture (for <c>info</c>); never throws.</summary>
    public static bool IsSupported(string? architecture) => All.Any(a => a.Name == architecture);

    /// <summary>The hyperparameters alone, for sizing before loading (the memory guard).</summary>
    public static ModelConfig ReadConfig(GgufFile file)
    {
        var arch = For(file);
        return arch.ReadConfig(new ModelReader(file, arch.Name));
    }

    /// <summary>Hyperparameters and weights, refusing any tensor or architecture key the architecture did not read.</summary>
    public static (ModelConfig Config, ModelWeights Weights) Load(GgufFile file)
    {
        var arch = For(file);
        var reader = new ModelReader(file, arch.Name);
        var config = arch.ReadConfig(reader);
        var layers = new LayerWeights[config.LayerCount];
        for (int i = 0; i < layers.Length; i++) layers[i] = arch.ReadLayer(reader, config, i);
        var weights = ModelWeights.Read(reader, config, layers);
        reader.RefuseUnread();
        return (config, weights);
    }
}
