using EdgeLlm.Core.Gguf;

namespace EdgeLlm.Models;

/// <summary>Whether this engine loads a GGUF file (every tensor and key understood), as <c>edgellm info</c> and pull say it.</summary>
public static class ModelCompatibility
{
    /// <summary>"yes (ARCH; KV cache N KiB per token at F16)" or "no: WHY".</summary>
    public static (bool Runs, string Verdict) Check(GgufFile file)
    {
        try
        {
            var (c, _) = Core.Model.Architectures.ModelArchitectures.Load(file);
            long kv = c.KvBytesPerToken(Core.Model.KvCacheType.F16);
            string perToken = kv < 1024 ? $"{kv} bytes" : $"{kv / 1024.0:F0} KiB";
            return (true, $"yes ({c.Architecture}; KV cache {perToken} per token at F16)");
        }
        catch (GgufException e)
        {
            return (false, "no: " + e.Message);
        }
    }
}
