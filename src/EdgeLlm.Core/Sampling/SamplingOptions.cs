namespace EdgeLlm.Core.Sampling;

/// <summary>
/// Token sampling settings. Defaults follow llama.cpp's CLI defaults.
/// The sampler applies them in llama.cpp's default chain order:
/// penalties → top-k → top-p → min-p → temperature → softmax → seeded draw.
/// </summary>
public sealed record SamplingOptions
{
    /// <summary>Softmax temperature. Zero or negative means greedy (argmax after penalties).</summary>
    public float Temperature { get; init; } = 0.8f;

    /// <summary>Keep only the K most likely tokens. 0 disables the filter.</summary>
    public int TopK { get; init; } = 40;

    /// <summary>Nucleus sampling: keep the smallest set of tokens whose probability mass reaches P. Range (0, 1]; 1 disables the filter.</summary>
    public float TopP { get; init; } = 0.95f;

    /// <summary>Drop tokens whose probability is below MinP times the probability of the most likely token. Range [0, 1]; 0 disables the filter.</summary>
    public float MinP { get; init; } = 0.05f;

    /// <summary>
    /// Repetition penalty for tokens seen in the penalty window: positive logits are divided by it,
    /// negative (and zero) logits are multiplied by it. Must be &gt; 0; 1 disables it.
    /// </summary>
    public float RepeatPenalty { get; init; } = 1.1f;

    /// <summary>Subtracted from a seen token's logit once per occurrence in the penalty window. 0 disables it.</summary>
    public float FrequencyPenalty { get; init; }

    /// <summary>Subtracted once from the logit of any token that occurs in the penalty window. 0 disables it.</summary>
    public float PresencePenalty { get; init; }

    /// <summary>How many of the most recently accepted tokens the penalties look at: 0 disables penalties, -1 means every token accepted since the last reset.</summary>
    public int PenaltyWindow { get; init; } = 64;

    /// <summary>PRNG seed. Null picks a random seed (readable afterwards from <see cref="Sampler.Seed"/>).</summary>
    public ulong? Seed { get; init; }

    /// <summary>Plain argmax decoding: temperature 0, no filters, no penalties.</summary>
    public static SamplingOptions Greedy { get; } = new()
    {
        Temperature = 0f,
        TopK = 0,
        TopP = 1f,
        MinP = 0f,
        RepeatPenalty = 1f,
        FrequencyPenalty = 0f,
        PresencePenalty = 0f,
        PenaltyWindow = 0,
    };

    /// <summary>True when <see cref="Temperature"/> selects greedy decoding.</summary>
    public bool IsGreedy => Temperature <= 0f;

    /// <summary>True when at least one penalty would change a logit.</summary>
    public bool PenaltiesEnabled =>
        PenaltyWindow != 0 && (RepeatPenalty != 1f || FrequencyPenalty != 0f || PresencePenalty != 0f);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first out-of-range field.</summary>
    public void Validate()
    {
        if (float.IsNaN(Temperature) || float.IsInfinity(Temperature))
            throw Bad(nameof(Temperature), $"must be a finite number (<= 0 means greedy), got {Temperature}");
        if (TopK < 0)
            throw Bad(nameof(TopK), $"must be >= 0 (0 disables top-k), got {TopK}");
        if (!(TopP > 0f && TopP <= 1f))
            throw Bad(nameof(TopP), $"must be in (0, 1] (1 disables top-p), got {TopP}");
        if (!(MinP >= 0f && MinP <= 1f))
            throw Bad(nameof(MinP), $"must be in [0, 1] (0 disables min-p), got {MinP}");
        if (!float.IsFinite(RepeatPenalty) || RepeatPenalty <= 0f)
            throw Bad(nameof(RepeatPenalty), $"must be a finite number > 0 (1 disables it), got {RepeatPenalty}");
        if (!float.IsFinite(FrequencyPenalty))
            throw Bad(nameof(FrequencyPenalty), $"must be a finite number (0 disables it), got {FrequencyPenalty}");
        if (!float.IsFinite(PresencePenalty))
            throw Bad(nameof(PresencePenalty), $"must be a finite number (0 disables it), got {PresencePenalty}");
        if (PenaltyWindow < -1)
            throw Bad(nameof(PenaltyWindow), $"must be >= -1 (0 disables penalties, -1 uses the whole context), got {PenaltyWindow}");
    }

    private static ArgumentException Bad(string field, string message) =>
        new($"SamplingOptions.{field} {message}.", field);
}
