using EdgeLlm.Core.Gguf;
using EdgeLlm.Core.Model;

namespace EdgeLlm.Commands;

/// <summary>The model-loading options shared by run, eval and bench: --model, --ctx, --threads, --kv-type.</summary>
internal sealed record ModelArgs(string Path, int ContextLength, int Threads, KvCacheType KvType)
{
    public static ModelArgs Read(ArgReader a, int defaultContext = 0) => new(
        a.Require("model"),
        a.GetInt("ctx", defaultContext, 0, 1 << 20),
        a.GetInt("threads", WorkerPool.DefaultThreadCount, 1, 256),
        ParseKvType(a.Get("kv-type") ?? "f16"));

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
    };

    public GgufFile Open() => GgufFile.Open(Path);
}
