using EdgeLlm.Core.Model;

namespace EdgeLlm.Hosting;

/// <summary>What the engine service reports about the model it loads (the loader itself is built by <see cref="DaemonHost"/>).</summary>
public sealed record EngineSettings(string ModelPath, int Threads, KvCacheType KvType);
