using System.Globalization;

namespace EdgeLlm.Commands;

/// <summary>
/// Minimal GNU-style option reader: "--name value", "--name=value", flags, positionals, and short or alternative
/// spellings mapped to a long name (llama.cpp's <c>-m</c>, <c>-p</c>, ...). Strict: an option the command does not
/// know, a dash-word that is no known short option, and a positional the command did not ask for are all errors.
/// </summary>
public sealed class ArgReader
{
    private readonly List<string> _positionals = [];
    private readonly List<KeyValuePair<string, string?>> _options = [];
    private readonly HashSet<string> _consumed = new(StringComparer.Ordinal);
    private bool _positionalsRead;

    /// <param name="args">The command's arguments (after the command name).</param>
    /// <param name="flags">Long names that take no value.</param>
    /// <param name="aliases">Other spellings ("-m", "--socket") → long name without dashes ("model", "socket-path").</param>
    public ArgReader(IEnumerable<string> args, IReadOnlySet<string> flags, IReadOnlyDictionary<string, string>? aliases = null)
    {
        aliases ??= CliAliases.None;
        using var it = args.GetEnumerator();
        while (it.MoveNext())
        {
            string a = it.Current;
            int eq = a.IndexOf('=');
            string spelled = a.StartsWith("--", StringComparison.Ordinal) && eq > 0 ? a[..eq] : a;
            if (aliases.TryGetValue(spelled, out string? longName))
                a = eq > 0 && spelled.Length < a.Length ? $"--{longName}={a[(eq + 1)..]}" : $"--{longName}";
            if (a.StartsWith("--", StringComparison.Ordinal) && a.Length > 2)
            {
                eq = a.IndexOf('=');
                if (eq > 0)
                    _options.Add(new(a[2..eq], a[(eq + 1)..]));
                else if (flags.Contains(a[2..]))
                    _options.Add(new(a[2..], null));
                else if (it.MoveNext())
                    _options.Add(new(a[2..], it.Current));
                else
                    throw new CliException($"option {a} needs a value");
            }
            else if (a.Length > 1 && a[0] == '-' && !IsNumber(a))
            {
                throw new CliException($"unknown option {a}");
            }
            else
            {
                _positionals.Add(a);
            }
        }
    }

    /// <summary>The words that are not options; reading them tells <see cref="RejectUnknown"/> the command takes them.</summary>
    public IReadOnlyList<string> Positionals
    {
        get
        {
            _positionalsRead = true;
            return _positionals;
        }
    }

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

    /// <summary>A number checked by the field's one validator (the same rule as the config file and the wire).</summary>
    public double? GetNumber(string name, Config.NumberField field)
    {
        string? s = Get(name);
        if (s is null) return null;
        if (field.Parse(s, out double v) is { } problem) throw new CliException($"--{name} {problem}");
        return v;
    }

    /// <summary>--threads auto|N by the config file's rule; auto (<see cref="Core.Model.ModelOptions.AutoThreads"/>) when absent.</summary>
    public int GetThreads(string name = "threads")
    {
        string? s = Get(name);
        if (s is null) return Core.Model.ModelOptions.AutoThreads;
        if (Config.Fields.Threads.Parse(s, out int threads) is { } problem) throw new CliException($"--{name} {problem}");
        return threads;
    }

    /// <summary>Fails on any option or positional the command did not ask for, so typos and stray words do not pass silently.</summary>
    public void RejectUnknown()
    {
        foreach (var o in _options)
            if (!_consumed.Contains(o.Key))
                throw new CliException($"unknown option --{o.Key}");
        if (!_positionalsRead && _positionals.Count > 0)
            throw new CliException($"unexpected argument '{_positionals[0]}'");
    }

    private static bool IsNumber(string s) => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
}
