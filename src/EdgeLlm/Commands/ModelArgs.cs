using EdgeLlm.Core.Gguf;
using EdgeLlm.Core.Model;

namespace EdgeLlm.Commands;

/// <summary>The model-loading options shared by run and eval: --model (a path or a store name), --models-dir, --ctx, --threads, --kv-type, --weight-cache.</summary>
internal sealed record ModelArgs(string Path, int ContextLength, int Threads, KvCacheType KvType, string? WeightCacheDirectory)
{
    public static ModelArgs Read(ArgReader a, int defaultContext = 0) => new(
        Models.ModelStore.ResolveModelSetting(a.Require("model"), a.Get("models-dir")), // a path or a store name
        (int?)a.GetNumber("ctx", Config.Fields.ContextSize) ?? defaultContext,
        a.GetThreads(),
        ParseKvType(a.Get("kv-type") ?? "f16"),
        Config.WeightCacheLocation.Resolve(a.Get("weight-cache")));

    public static KvCacheType ParseKvType(string value) => value.ToLowerInvariant() switch
    {
        "f16" => KvCacheType.F16,
        "f32" => KvCacheType.F32,
        _ => throw new CliException($"--kv-type must be f16 or f32, got '{value}'"),
    };

    public ModelOptions ToOptions(int contextLength = 0) => new()
    {
        ContextLength = contextLength > 0 ? contextLength : ContextLength,
        Threads = Threads,
        KvType = KvType,
        InterleavedCacheDirectory = WeightCacheDirectory,
        Log = line => Console.Error.WriteLine(line),
    };

    /// <summary>Opens the model after checking that it is a regular file (a directory or a FIFO gets a clear error, never a hang).</summary>
    public GgufFile Open() => Config.ModelFile.Open(Path);
}
