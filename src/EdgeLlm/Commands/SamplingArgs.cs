using EdgeLlm.Core.Sampling;

namespace EdgeLlm.Commands;

/// <summary>Sampling flags shared by run and ask: --temp, --top-k, --top-p, --min-p, penalties, --seed.</summary>
internal static class SamplingArgs
{
    public static SamplingOptions Read(ArgReader a)
    {
        var d = new SamplingOptions();
        string? seed = a.Get("seed");
        var options = new SamplingOptions
        {
            Temperature = a.GetFloat("temp", d.Temperature, 0, 100),
            TopK = a.GetInt("top-k", d.TopK, 0),
            TopP = a.GetFloat("top-p", d.TopP, 0, 1),
            MinP = a.GetFloat("min-p", d.MinP, 0, 1),
            RepeatPenalty = a.GetFloat("repeat-penalty", d.RepeatPenalty, 0, 100),
            PenaltyWindow = a.GetInt("repeat-last-n", d.PenaltyWindow, -1),
            FrequencyPenalty = a.GetFloat("frequency-penalty", d.FrequencyPenalty, -100, 100),
            PresencePenalty = a.GetFloat("presence-penalty", d.PresencePenalty, -100, 100),
            Seed = seed is null ? null
                : ulong.TryParse(seed, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out ulong s) ? s
                : throw new CliException($"--seed must be a non-negative integer, got '{seed}'"),
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new CliException(e.Message);
        }
        return options;
    }
}
