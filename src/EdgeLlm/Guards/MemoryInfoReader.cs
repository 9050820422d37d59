using System.Globalization;

namespace EdgeLlm.Guards;

/// <summary>Reads /proc/meminfo and the process's memory cgroup (v2 and v1). Paths are configurable for tests.</summary>
public sealed class MemoryInfoReader(string procRoot = "/proc", string cgroupRoot = "/sys/fs/cgroup")
{
    /// <summary>The current figures, or null when /proc/meminfo cannot be read (not Linux).</summary>
    public MemorySnapshot? Read()
    {
        long? available = ReadMemAvailable();
        if (available is null) return null;
        var (limit, usage) = ReadCgroup();
        return new MemorySnapshot(available.Value, limit, usage);
    }

    private long? ReadMemAvailable()
    {
        string[] lines;
        try { lines = File.ReadAllLines(Path.Combine(procRoot, "meminfo")); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        foreach (string line in lines)
        {
            if (!line.StartsWith("MemAvailable:", StringComparison.Ordinal)) continue;
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length >= 2 && long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out long kb))
                return kb * 1024;
        }
        return null;
    }

    /// <summary>Finds this process's memory cgroup through /proc/self/cgroup and reads its limit and usage.</summary>
    private (long? Limit, long? Usage) ReadCgroup()
    {
        string[] lines;
        try { lines = File.ReadAllLines(Path.Combine(procRoot, "self", "cgroup")); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { lines = []; }

        foreach (string line in lines)
        {
            var fields = line.Split(':', 3);
            if (fields.Length != 3) continue;
            string relative = fields[2].TrimStart('/');
            if (fields[0] == "0" && fields[1].Length == 0)
            {
                // cgroup v2: one unified hierarchy.
                string dir = Path.Combine(cgroupRoot, relative);
                var v2 = (ReadLimit(Path.Combine(dir, "memory.max")), ReadNumber(Path.Combine(dir, "memory.current")));
                if (v2.Item1 is not null || v2.Item2 is not null) return v2;
            }
            else if (fields[1].Split(',').Contains("memory"))
            {
                string dir = Path.Combine(cgroupRoot, "memory", relative);
                return (ReadLimit(Path.Combine(dir, "memory.limit_in_bytes")), ReadNumber(Path.Combine(dir, "memory.usage_in_bytes")));
            }
        }
        // Inside a container the process's own cgroup is mounted at the root.
        var rootV2 = (ReadLimit(Path.Combine(cgroupRoot, "memory.max")), ReadNumber(Path.Combine(cgroupRoot, "memory.current")));
        if (rootV2.Item1 is not null || rootV2.Item2 is not null) return rootV2;
        return (ReadLimit(Path.Combine(cgroupRoot, "memory", "memory.limit_in_bytes")), ReadNumber(Path.Combine(cgroupRoot, "memory", "memory.usage_in_bytes")));
    }

    /// <summary>A limit file: "max" (v2) or a huge number near 2^63 (v1) both mean unlimited.</summary>
    private static long? ReadLimit(string path)
    {
        long? value = ReadNumber(path);
        return value is > (1L << 60) ? null : value;
    }

    private static long? ReadNumber(string path)
    {
        try
        {
            string text = File.ReadAllText(path).Trim();
            return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long v) ? v : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
