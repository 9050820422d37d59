namespace EdgeLlm.Pipeline;

/// <summary>
/// Bounded FIFO of requests waiting for the generation worker. Full means full: <see cref="TryEnqueue"/> refuses
/// rather than grows. Queued requests can be removed (cancel, timeout) and the queue closed (shutdown).
/// </summary>
public sealed class RequestQueue(int capacity)
{
    private readonly LinkedList<GenerationRequest> _items = new();
    private readonly object _lock = new();
    private bool _closed;

    public int Capacity { get; } = capacity >= 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity));

    public int Count
    {
        get { lock (_lock) return _items.Count; }
    }

    public enum EnqueueResult { Accepted, Full, Closed }

    public EnqueueResult TryEnqueue(GenerationRequest request)
    {
        lock (_lock)
        {
            if (_closed) return EnqueueResult.Closed;
            if (_items.Count >= Capacity) return EnqueueResult.Full;
            _items.AddLast(request);
            Monitor.PulseAll(_lock);
            return EnqueueResult.Accepted;
        }
    }

    /// <summary>Removes a request that is still waiting; false if the worker already took it (or it was never queued).</summary>
    public bool TryRemove(GenerationRequest request)
    {
        lock (_lock) return _items.Remove(request);
    }

    /// <summary>Blocks until a request is available; null once the queue is closed.</summary>
    public GenerationRequest? Take()
    {
        lock (_lock)
        {
            while (true)
            {
                if (_closed) return null;
                if (_items.First is { } first)
                {
                    _items.RemoveFirst();
                    return first.Value;
                }
                Monitor.Wait(_lock);
            }
        }
    }

    /// <summary>Refuses further requests, wakes the worker, and hands back whatever was still waiting.</summary>
    public List<GenerationRequest> Close()
    {
        lock (_lock)
        {
            _closed = true;
            var rest = _items.ToList();
            _items.Clear();
            Monitor.PulseAll(_lock);
            return rest;
        }
    }
}
