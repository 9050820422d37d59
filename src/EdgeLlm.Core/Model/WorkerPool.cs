namespace EdgeLlm.Core.Model;

/// <summary>A persistent pool of worker threads with a cheap fork/join barrier.</summary>
/// <remarks>
/// A transformer step is hundreds of short data-parallel operations per token; on a small model each
/// lasts microseconds, so waking threads through the OS every time would cost more than the work.
/// Workers therefore spin briefly on a generation counter after each job and only then block on a
/// monitor. The calling thread always takes a share of the work itself. Items are handed out in shrinking
/// claims through one atomic claim word, which balances uneven cores without any per-job allocation.
/// The caller waits for the job's items to be done, not for every worker to check in: a worker that the
/// OS has not scheduled (other processes on the same cores) never holds up an operation it took no part in.
/// </remarks>
public sealed class WorkerPool : IDisposable
{
    private const int SpinIterationsBeforeSleep = 20_000;

    /// <summary>Two job slots used alternately, so a late worker can still tell the previous job from the current one.</summary>
    private sealed class Job
    {
        public IParallelWork? Work;
        public int Count;
        public int Chunk;
        public int Done;
        public Exception? Failure;

        /// <summary>High 32 bits: the job's generation (or <see cref="Invalid"/> while the slot is rewritten); low 32: next unclaimed item.</summary>
        public long Claim;
    }

    private const uint Invalid = uint.MaxValue;
    private const long InvalidClaim = unchecked((long)0xFFFFFFFF00000000UL);

    private readonly Thread[] _threads;
    private readonly Job[] _jobs = [new Job(), new Job()];
    private readonly object _gate = new();
    private long _generation;
    private int _sleepers;
    private volatile bool _stopping;

    public WorkerPool(int threadCount)
    {
        if (threadCount < 1) throw new ArgumentOutOfRangeException(nameof(threadCount), "at least one thread");
        ThreadCount = threadCount;
        foreach (var job in _jobs) job.Claim = InvalidClaim;
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

    /// <summary>
    /// Runs <paramref name="work"/> over [0, count) and waits for it. Each claim takes 1/(2·threads) of the items left,
    /// rounded down to a multiple of <paramref name="chunk"/> and at least one chunk.
    /// </summary>
    public void Run(IParallelWork work, int count, int chunk = 1)
    {
        if (count <= 0) return;
        chunk = Math.Max(1, chunk);
        if (_threads.Length == 0 || count <= chunk)
        {
            work.Execute(0, count, 0);
            return;
        }

        long generation = _generation + 1;
        var job = _jobs[generation & 1];
        // Seqlock-style publication: invalidate the claim word before touching the fields, so a late worker that
        // read fields of an older job in this slot sees the generation change and backs off.
        // A full fence (not just a release): on arm64 the field stores below must not become visible before it.
        Interlocked.Exchange(ref job.Claim, InvalidClaim);
        job.Work = work;
        job.Count = count;
        job.Chunk = chunk;
        job.Done = 0;
        job.Failure = null;
        Volatile.Write(ref job.Claim, (long)((ulong)(uint)generation << 32));
        lock (_gate)
        {
            _generation = generation;
            if (_sleepers > 0) Monitor.PulseAll(_gate);
        }

        TakeChunks(job, (uint)generation, 0, ThreadCount);

        var spin = new SpinWait();
        while (Volatile.Read(ref job.Done) < count) spin.SpinOnce(sleep1Threshold: -1);
        if (job.Failure is { } failure) throw new InvalidOperationException($"worker failed: {failure.Message}", failure);
    }

    /// <summary>Claims and runs chunks of <paramref name="job"/> while it is still generation <paramref name="generation"/>.</summary>
    private static void TakeChunks(Job job, uint generation, int worker, int threads)
    {
        while (true)
        {
            long claim = Volatile.Read(ref job.Claim);
            if ((uint)(claim >> 32) != generation) return;
            var work = job.Work;
            int count = job.Count, chunk = job.Chunk;
            // The fields are this generation's only if the claim word still carries it after reading them
            // (the fence keeps the field reads from drifting past the re-check).
            Interlocked.MemoryBarrier();
            if (Volatile.Read(ref job.Claim) >> 32 != claim >> 32 || work is null) return;
            int start = (int)claim;
            if (start >= count) return;
            // Guided sizes: a share of what is left, never below the job's chunk and always a multiple of it. Early claims
            // are long contiguous runs; the last ones are single chunks, so threads finish close together.
            int size = Math.Max(chunk, (count - start) / (2 * threads) / chunk * chunk);
            if (Interlocked.CompareExchange(ref job.Claim, claim + size, claim) != claim) continue;
            int end = Math.Min(start + size, count);
            try
            {
                work.Execute(start, end, worker);
            }
            catch (Exception e)
            {
                job.Failure = e;
            }
            Interlocked.Add(ref job.Done, end - start);
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
            TakeChunks(_jobs[seen & 1], (uint)seen, worker, ThreadCount);
        }
    }

    public void Dispose()
    {
        _stopping = true;
        lock (_gate) Monitor.PulseAll(_gate);
        foreach (var t in _threads) t.Join();
    }
}
