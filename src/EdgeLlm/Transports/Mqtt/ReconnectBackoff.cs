namespace EdgeLlm.Transports.Mqtt;

/// <summary>
/// Capped exponential backoff with jitter between connection attempts: the n-th failure in a row waits a random time
/// in [d/2, d] where d = min(max, min · 2ⁿ), so that a fleet of Pis does not reconnect in lockstep after a broker restart.
/// </summary>
public sealed class ReconnectBackoff(TimeSpan min, TimeSpan max, Random? random = null)
{
    private readonly Random _random = random ?? Random.Shared;
    private int _failures;

    /// <summary>Failures since the last success.</summary>
    public int Failures => _failures;

    /// <summary>The delay before the next attempt, counting one more failure.</summary>
    public TimeSpan Next()
    {
        double cap = Math.Min(max.TotalMilliseconds, min.TotalMilliseconds * Math.Pow(2, Math.Min(_failures, 30)));
        _failures++;
        return TimeSpan.FromMilliseconds(cap / 2 + _random.NextDouble() * cap / 2);
    }

    public void Reset() => _failures = 0;
}
