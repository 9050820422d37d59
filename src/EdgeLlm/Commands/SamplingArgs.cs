using EdgeLlm.Config;
using EdgeLlm.Core.Sampling;

namespace EdgeLlm.Commands;

/// <summary>
/// Sampling flags shared by run and ask: --temp, --top-k, --top-p, --min-p, penalties, --repeat-last-n, --seed.
/// Null means "not given" (run then uses its defaults, ask leaves the choice to the daemon). Ranges are the
/// shared <see cref="Fields"/> rules, the same as the config file and the wire.
/// </summary>
internal sealed record SamplingArgs(
    float? Temperature, int? TopK, float? TopP, float? MinP, float? RepeatPenalty, int? RepeatLastN,
    float? FrequencyPenalty, float? PresencePenalty, ulong? Seed)
{
    public static SamplingArgs Read(ArgReader a)
    {
        string? seed = a.Get("seed");
        return new SamplingArgs(
            (float?)a.GetNumber("temp", Fields.Temperature),
            (int?)a.GetNumber("top-k", Fields.TopK),
            (float?)a.GetNumber("top-p", Fields.TopP),
            (float?)a.GetNumber("min-p", Fields.MinP),
            (float?)a.GetNumber("repeat-penalty", Fields.RepeatPenalty),
            (int?)a.GetNumber("repeat-last-n", Fields.RepeatLastN),
            (float?)a.GetNumber("frequency-penalty", Fields.FrequencyPenalty),
            (float?)a.GetNumber("presence-penalty", Fields.PresencePenalty),
            seed is null ? null
                : ulong.TryParse(seed, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out ulong s) ? s
                : throw new CliException($"--seed must be a non-negative integer, got '{seed}'"));
    }

    /// <summary>The given flags over <paramref name="defaults"/>.</summary>
    public SamplingOptions Over(SamplingOptions defaults) => defaults with
    {
        Temperature = Temperature ?? defaults.Temperature,
        TopK = TopK ?? defaults.TopK,
        TopP = TopP ?? defaults.TopP,
        MinP = MinP ?? defaults.MinP,
        RepeatPenalty = RepeatPenalty ?? defaults.RepeatPenalty,
        PenaltyWindow = RepeatLastN ?? defaults.PenaltyWindow,
        FrequencyPenalty = FrequencyPenalty ?? defaults.FrequencyPenalty,
        PresencePenalty = PresencePenalty ?? defaults.PresencePenalty,
        Seed = Seed ?? defaults.Seed,
    };
}
