using System.Globalization;

namespace EdgeLlm.Commands;

/// <summary>Minimal GNU-style option reader: "--name value", "--name=value", flags, and positionals.</summary>
public sealed class ArgReader
{
    private readonly List<string> _positionals = [];
    private readonly List<KeyValuePair<string, string?>> _options = [];
    private readonly HashSet<string> _consumed = new(StringComparer.Ordinal);

    public ArgReader(IEnumerable<string> args, IReadOnlySet<string> flags)
    {
        using var it = args.GetEnumerator();
        while (it.MoveNext())
        {
            string a = it.Current;
            if (a.StartsWith("--", StringComparison.Ordinal) && a.Length > 2)
            {
                int eq = a.IndexOf('=');
                if (eq > 0)
                    _options.Add(new(a[2..eq], a[(eq + 1)..]));
                else if (flags.Contains(a[2..]))
                    _options.Add(new(a[2..], null));
                else if (it.MoveNext())
                    _options.Add(new(a[2..], it.Current));
                else
                    throw new CliException($"option {a} needs a value");
            }
            else
            {
                _positionals.Add(a);
            }
        }
    }

    public IReadOnlyList<string> Positionals => _positionals;

    public bool Flag(string name)
    {
        _consumed.Add(name);
        return _options.Any(o => o.Key == name);
    }

    public string? Get(string name)
    {
        _consumed.Add(name);
        string? last = null;
        foreach (var o in _options) if (o.Key == name) last = o.Value;
        return last;
    }

    public IReadOnlyList<string> GetAll(string name)
    {
        _consumed.Add(name);
        return _options.Where(o => o.Key == name).Select(o => o.Value ?? "").ToList();
    }

    public string Require(string name) => Get(name) ?? throw new CliException($"missing required option --{name}");

    public int GetInt(string name, int fallback, int min = int.MinValue, int max = int.MaxValue)
    {
        string? s = Get(name);
        if (s is null) return fallback;
        if (!int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) || v < min || v > max)
            throw new CliException($"--{name} must be an integer from {min} to {max}, got '{s}'");
        return v;
    }

    public float GetFloat(string name, float fallback, float min = float.MinValue, float max = float.MaxValue)
    {
        string? s = Get(name);
        if (s is null) return fallback;
        if (!float.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out float v) || !(v >= min && v <= max))
            throw new CliException($"--{name} must be a number from {min} to {max}, got '{s}'");
        return v;
    }

    /// <summary>Fails on any option the command did not ask for, so typos do not pass silently.</summary>
    public void RejectUnknown()
    {
        foreach (var o in _options)
            if (!_consumed.Contains(o.Key))
                throw new CliException($"unknown option --{o.Key}");
    }
}
