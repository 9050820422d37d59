namespace EdgeLlm.Config;

/// <summary>
/// Where the interleaved weight cache lives (<see cref="Core.Model.InterleavedWeightCache"/>): the setting when given
/// ("off" disables it), else $EDGELLM_CACHE_DIR, else the directory systemd's CacheDirectory= creates ($CACHE_DIRECTORY),
/// else $XDG_CACHE_HOME/edgellm, else ~/.cache/edgellm.
/// </summary>
public static class WeightCacheLocation
{
    public const string Off = "off";

    /// <summary>The directory to use, or null when the cache is off or no directory can be derived.</summary>
    public static string? Resolve(string? setting)
    {
        if (!string.IsNullOrWhiteSpace(setting))
            return setting.Trim().Equals(Off, StringComparison.OrdinalIgnoreCase) ? null : setting.Trim();
        if (Environment.GetEnvironmentVariable("EDGELLM_CACHE_DIR") is { Length: > 0 } own) return own;
        // systemd may list several directories separated by ':'; the first is ours.
        if (Environment.GetEnvironmentVariable("CACHE_DIRECTORY") is { Length: > 0 } systemd) return systemd.Split(':')[0];
        if (Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg) return Path.Combine(xdg, "edgellm");
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return home.Length > 0 ? Path.Combine(home, ".cache", "edgellm") : null;
    }
}
