namespace EdgeLlm.Guards;

/// <summary>While serving: below a MemAvailable floor, new requests are refused with <c>low_memory</c> until memory recovers.</summary>
/// <remarks>Readings are cached for a second so a burst of requests costs one /proc read.</remarks>
public sealed class MemoryGuard(MemoryInfoReader reader, long floorBytes, Func<DateTime>? clock = null)
{
    private readonly Func<DateTime> _clock = clock ?? (() => DateTime.UtcNow);
    private MemorySnapshot? _last;
    private DateTime _lastRead = DateTime.MinValue;

    public long FloorBytes { get; } = floorBytes;

    public MemorySnapshot? Last => _last;

    /// <summary>True when the usable memory is at or above the floor (or cannot be known).</summary>
    public bool AcceptsNewRequests
    {
        get
        {
            var now = _clock();
            if (now - _lastRead >= TimeSpan.FromSeconds(1) || _last is null)
            {
                _last = reader.Read();
                _lastRead = now;
            }
            return FloorBytes <= 0 || _last is null || _last.Usable >= FloorBytes;
        }
    }
}
