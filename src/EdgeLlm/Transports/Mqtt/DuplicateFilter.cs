using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace EdgeLlm.Transports.Mqtt;

/// <summary>
/// Remembers recent requests so that a QoS 1 redelivery (or a client's retransmission) of the same request does not
/// run twice. A request's key is a hash of its id, Response Topic, Correlation Data and payload: a new request that
/// reuses an id with another prompt is not a duplicate. Bounded: at most <c>capacity</c> keys, each for at most
/// <c>window</c>; the oldest are forgotten first. Thread-safe.
/// </summary>
public sealed class DuplicateFilter(int capacity, TimeSpan window, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Dictionary<string, long> _seen = new(StringComparer.Ordinal);
    private readonly Queue<(string Key, long At)> _order = new();
    private readonly Lock _lock = new();

    public int Count
    {
        get { lock (_lock) return _seen.Count; }
    }

    /// <summary>The key of a request message.</summary>
    public static string Key(string? id, string? responseTopic, byte[]? correlationData, ReadOnlySequence<byte> payload)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Append(hash, id);
        Append(hash, responseTopic);
        hash.AppendData(BitConverter.GetBytes(correlationData?.Length ?? -1));
        if (correlationData is not null) hash.AppendData(correlationData);
        foreach (var segment in payload) hash.AppendData(segment.Span);
        return Convert.ToHexString(hash.GetCurrentHash());

        static void Append(IncrementalHash hash, string? s)
        {
            byte[] bytes = s is null ? [] : Encoding.UTF8.GetBytes(s);
            hash.AppendData(BitConverter.GetBytes(s is null ? -1 : bytes.Length));
            hash.AppendData(bytes);
        }
    }

    /// <summary>True if the key is new (and now remembered); false for a duplicate seen within the window.</summary>
    public bool TryAdd(string key)
    {
        long now = _time.GetTimestamp();
        lock (_lock)
        {
            Expire(now);
            if (_seen.ContainsKey(key)) return false;
            while ((_seen.Count >= capacity || _order.Count >= 2 * capacity) && _order.TryDequeue(out var oldest))
                if (_seen.TryGetValue(oldest.Key, out long at) && at == oldest.At) _seen.Remove(oldest.Key);
            _seen[key] = now;
            _order.Enqueue((key, now));
            return true;
        }
    }

    /// <summary>Forgets a key, e.g. of a request refused with <c>busy</c>, so that the client's retry runs.</summary>
    public void Remove(string key)
    {
        lock (_lock) _seen.Remove(key);
    }

    private void Expire(long now)
    {
        while (_order.TryPeek(out var oldest) && _time.GetElapsedTime(oldest.At, now) > window)
        {
            _order.Dequeue();
            if (_seen.TryGetValue(oldest.Key, out long at) && at == oldest.At) _seen.Remove(oldest.Key);
        }
    }
}
