using System.Runtime;

namespace EdgeLlm.Transports.Socket;

/// <summary>
/// Gives back the memory a burst of big request lines left behind. A megabyte line becomes a 2 MB string and its
/// rendered prompt on the large object heap; once the requests are answered that is garbage, but an idle daemon
/// allocates nothing, so no collection comes to free it and it stays resident for as long as the daemon is quiet.
/// Checked once a second: after at least <see cref="Threshold"/> bytes of big lines, and once a full second passed
/// with no new one (the burst is over), one compacting collection of the large object heap runs. On a heap of tens
/// of megabytes that takes milliseconds, and it happens at most once a second and only after big lines.
/// </summary>
internal sealed class BigLineTrimmer(Func<long> bigLineBytes, Action collect)
{
    /// <summary>Big-line bytes that make a collection worth it: a single megabyte request leaves several times that.</summary>
    public const long Threshold = 1024 * 1024;

    private long _lastSeen, _collectedAt;

    public static BigLineTrimmer ForDaemon() => new(() => LineReader.BigLineBytes, CompactingCollect);

    /// <summary>One check (the socket service calls it every second); true when it collected.</summary>
    public bool Tick()
    {
        long now = bigLineBytes();
        bool quiet = now == _lastSeen;
        _lastSeen = now;
        if (!quiet || now - _collectedAt < Threshold) return false;
        _collectedAt = now;
        collect();
        return true;
    }

    private static void CompactingCollect()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
    }
}
