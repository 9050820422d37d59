namespace EdgeLlm.Core.Sampling;

/// <summary>
/// Restricts which tokens may come next (a grammar). The <see cref="Sampler"/> asks it between the penalties and
/// the top-k/top-p/min-p/temperature steps, checking the sampled token first and masking the whole vocabulary only
/// when that token is refused.
/// </summary>
public interface ITokenConstraint
{
    /// <summary>False while the constraint does not restrict anything yet (a lazy grammar before its trigger).</summary>
    bool IsActive { get; }

    /// <summary>Whether <paramref name="token"/> may come next. Cheap: called for the first candidate of every step.</summary>
    bool Allows(int token);

    /// <summary>Sets the logits of refused tokens to -infinity; returns how many tokens remain allowed.</summary>
    int Mask(Span<float> logits);

    /// <summary>Records the token that was generated.</summary>
    void Accept(int token);

    /// <summary>True when the output is complete and nothing may follow: the generation ends with "stop".</summary>
    bool MustEnd { get; }
}
