namespace EdgeLlm.Core.Model;

/// <summary>A persistent pool of worker threads with a cheap fork/join barrier.</summary>
/// <remarks>
/// A transformer step is hundreds of short data-parallel operations per token; on a small model each
/// lasts microseconds, so waking threads through the OS every time would cost more than the work.
/// Workers therefore spin briefly on a generation counter after each job and only then block on a
/// monitor. The calling thread always takes a share of the work itself. Items are handed out in chunks
/// through one atomic counter, which balances uneven cores without any per-job allocation.
/// </remarks>
public sealed class WorkerPool : IDisposable
{
    private const int SpinIterationsBeforeSleep = 20_000;

    private readonly Thread[] _threads;
    private readonly object _gate = new();
    private IParallelWork? _work;
    private int _count;
    private int _chunk;
    private int _nextItem;
    private int _busyWorkers;
    private long _generation;
    private int _sleepers;
    private volatile bool _stopping;
    private Exception? _failure;

    public WorkerPool(int threadCount)
    {
        if (threadCount < 1) throw new ArgumentOutOfRangeException(nameof(threadCount), "at least one thread");
        ThreadCount = threadCount;
        _threads = new Thread[threadCount - 1];
        for (int i = 0; i < _threads.Length; i++)
        {
            int worker = i + 1;
            _threads[i] = new Thread(() => WorkerLoop(worker)) { IsBackground = true, Name = $"edgellm-worker-{worker}" };
            _threads[i].Start();
        }
    }

    /// <summary>Threads taking part in each job, including the caller.</summary>
    public int ThreadCount { get; }

    /// <summary>Default thread count: the CPU cores available to this process (a Pi has no SMT siblings).</summary>
    public static int DefaultThreadCount => Math.Max(1, Environment.ProcessorCount);

    /// <summary>Runs <paramref name="work"/> over [0, count) in chunks of <paramref name="chunk"/> items and waits for it.</summary>
    public void Run(IParallelWork work, int count, int chunk = 1)
    {
        if (count <= 0) return;
        chunk = Math.Max(1, chunk);
        if (_threads.Length == 0 || count <= chunk)
        {
            work.Execute(0, count, 0);
            return;
        }

        _work = work;
        _count = count;
        _chunk = chunk;
        _nextItem = 0;
        _failure = null;
        Volatile.Write(ref _busyWorkers, _threads.Length);
        lock (_gate)
        {
            _generation++;
            if (_sleepers > 0) Monitor.PulseAll(_gate);
        }

        TakeChunks(0);

        var spin = new SpinWait();
        while (Volatile.Read(ref _busyWorkers) != 0) spin.SpinOnce(sleep1Threshold: -1);
        _work = null;
        if (_failure is { } failure) throw new InvalidOperationException($"worker failed: {failure.Message}", failure);
    }

    private void TakeChunks(int worker)
    {
        var work = _work!;
        int count = _count, chunk = _chunk;
        while (true)
        {
            int start = Interlocked.Add(ref _nextItem, chunk) - chunk;
            if (start >= count) return;
            work.Execute(start, Math.Min(start + chunk, count), worker);
        }
    }

    private void WorkerLoop(int worker)
    {
        long seen = 0;
        while (true)
        {
            int spins = 0;
            while (Volatile.Read(ref _generation) == seen && !_stopping)
            {
                if (++spins < SpinIterationsBeforeSleep)
                {
                    Thread.SpinWait(20);
                    continue;
                }
                lock (_gate)
                {
                    if (_generation != seen || _stopping) break;
                    _sleepers++;
                    Monitor.Wait(_gate);
                    _sleepers--;
                }
            }
            if (_stopping) return;
            seen = Volatile.Read(ref _generation);
            try
            {
                TakeChunks(worker);
            }
            catch (Exception e)
            {
                _failure = e;
            }
            Interlocked.Decrement(ref _busyWorkers);
        }
    }

    public void Dispose()
    {
        _stopping = true;
        lock (_gate) Monitor.PulseAll(_gate);
        foreach (var t in _threads) t.Join();
    }
}
