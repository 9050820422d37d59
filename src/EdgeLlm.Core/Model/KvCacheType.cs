namespace EdgeLlm.Core.Model;

/// <summary>Element type of the key/value cache. F16 halves its memory and is what llama.cpp uses by default.</summary>
public enum KvCacheType
{
    F16,
    F32,
}
