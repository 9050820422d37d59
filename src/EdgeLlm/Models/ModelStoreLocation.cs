namespace EdgeLlm.Models;

/// <summary>
/// Where pulled models live: the setting when given (<c>--models-dir</c>, config key <c>models_dir</c>), else
/// $EDGELLM_MODELS_DIR, else models/ in the directory systemd's StateDirectory= creates ($STATE_DIRECTORY, so
/// /var/lib/edgellm/models for the unit), else $XDG_DATA_HOME/edgellm/models, else ~/.local/share/edgellm/models.
/// </summary>
public static class ModelStoreLocation
{
    public static string Resolve(string? setting)
    {
        if (!string.IsNullOrWhiteSpace(setting)) return setting.Trim();
        if (Environment.GetEnvironmentVariable("EDGELLM_MODELS_DIR") is { Length: > 0 } own) return own;
        // systemd may list several directories separated by ':'; the first is ours.
        if (Environment.GetEnvironmentVariable("STATE_DIRECTORY") is { Length: > 0 } systemd) return Path.Combine(systemd.Split(':')[0], "models");
        if (Environment.GetEnvironmentVariable("XDG_DATA_HOME") is { Length: > 0 } xdg) return Path.Combine(xdg, "edgellm", "models");
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return Path.Combine(home.Length > 0 ? home : "/var/lib/edgellm", ".local", "share", "edgellm", "models");
    }
}
