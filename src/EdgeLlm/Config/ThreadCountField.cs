using EdgeLlm.Core.Model;

namespace EdgeLlm.Config;

/// <summary>
/// The one rule of <c>threads</c>, shared by the config file (and its environment variable and flag) and every command's
/// <c>--threads</c>: <c>auto</c> (measured at load, <see cref="ThreadCountProbe"/>) or a count.
/// </summary>
public sealed class ThreadCountField
{
    public const string Auto = "auto";

    private readonly NumberField _count = new("threads", 1, 256, Integer: true);

    public string Key => _count.Key;
    public string Expected => $"{Auto} or {_count.Expected}";

    /// <summary>Null when <paramref name="text"/> is allowed (<see cref="ModelOptions.AutoThreads"/> for auto), else "must be ..., got ..." (without the key).</summary>
    public string? Parse(string text, out int threads)
    {
        threads = ModelOptions.AutoThreads;
        if (text.Trim().Equals(Auto, StringComparison.OrdinalIgnoreCase)) return null;
        if (_count.Parse(text, out double count) is null)
        {
            threads = (int)count;
            return null;
        }
        return $"must be {Expected}, got '{text}'";
    }

    /// <summary>The setting as a person wrote it: "auto" or the count.</summary>
    public static string Describe(int threads) => threads == ModelOptions.AutoThreads ? Auto : threads.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
