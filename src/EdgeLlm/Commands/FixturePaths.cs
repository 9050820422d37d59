namespace EdgeLlm.Commands;

/// <summary>Finds the shared test fixtures (<c>shared/fixtures</c> beside the checkout) for selftest.</summary>
internal static class FixturePaths
{
    public static string? Find(string? explicitDir)
    {
        if (explicitDir is not null) return Directory.Exists(explicitDir) ? explicitDir : null;
        if (Environment.GetEnvironmentVariable("EDGELLM_FIXTURES") is { Length: > 0 } env) return Directory.Exists(env) ? env : null;
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "shared", "fixtures");
                if (Directory.Exists(Path.Combine(candidate, "models"))) return candidate;
            }
        }
        return null;
    }
}
