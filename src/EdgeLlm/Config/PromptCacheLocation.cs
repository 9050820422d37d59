namespace EdgeLlm.Config;

/// <summary>
/// Where the prompt cache keeps slots across restarts (<see cref="Core.Generation.PromptCacheDirectory"/>): the setting
/// when given ("off" keeps them in memory only), else beside the interleaved weight cache (under systemd its
/// CacheDirectory), else the weight cache's default location even when the weight cache itself is off.
/// </summary>
public static class PromptCacheLocation
{
    /// <summary>The most slots prompt_cache_slots may ask for: each is a copy of up to a whole context's keys and values.</summary>
    public const int MaxSlots = 64;

    public static string? Resolve(string? setting, string? weightCacheDirectory)
    {
        if (!string.IsNullOrWhiteSpace(setting))
            return setting.Trim().Equals(WeightCacheLocation.Off, StringComparison.OrdinalIgnoreCase) ? null : setting.Trim();
        return weightCacheDirectory ?? WeightCacheLocation.Resolve(null);
    }
}
