using System.Diagnostics;

namespace EdgeLlm.Core.Model;

/// <summary>A persistent pool of worker threads with a cheap fork/join barrier.</summary>
/// <remarks>
/// A transformer step is hundreds of short data-parallel operations per token; on a small model each
/// lasts microseconds, so waking threads through the OS every time would cost more than the work.
/// Waiting threads (workers between jobs, the caller for the last items of a job) therefore spin first, but only
/// for a bounded time: spin, then yield the core, then block (<see cref="Backoff"/>). A bound in time rather than in
/// iterations matters when another process shares the cores (a kiosk drawing its screen): a thread that keeps spinning
/// there burns the slice the busy core's other tasks, or our own late worker, need. The calling thread always takes a
/// share of the work itself. Items are handed out in shrinking claims through one atomic claim word, which balances
/// uneven cores without any per-job allocation. The caller waits for the job's items to be done, not for every worker
/// to check in: a worker that the OS has not scheduled never holds up an operation it took no part in.
/// </remarks>
public sealed class WorkerPool : IDisposable
{
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
    /// <summary>Idle workers block here; <see cref="_sleepers"/> says whether a new job must pulse it.</summary>
    private readonly object _gate = new();
    /// <summary>The caller blocks here when a job's last items take long; <see cref="_callerBlocked"/> says whether to pulse it.</summary>
    private readonly object _doneGate = new();
    private long _generation;
    private int _sleepers;
    private int _callerBlocked;
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

    /// <summary>The CPU cores available to this process (a Pi has no SMT siblings): the most threads worth trying.</summary>
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
        // Publish, then look for sleepers; a worker going to sleep counts itself, then re-reads the generation. Both sides
        // use full fences, so at least one sees the other: no lost wake-up, and no lock at all while the workers spin.
        Interlocked.Exchange(ref _generation, generation);
        if (Volatile.Read(ref _sleepers) > 0)
            lock (_gate) Monitor.PulseAll(_gate);

        TakeChunks(job, (uint)generation, 0);

        if (Volatile.Read(ref job.Done) < count) WaitDone(job, count);
        if (job.Failure is { } failure) throw new InvalidOperationException($"worker failed: {failure.Message}", failure);
    }

    /// <summary>The caller's wait for items other threads claimed: spin, yield, then block until the last one is done.</summary>
    /// <remarks>
    /// Blocking matters when the claimant was preempted (another process on its core): a core left idle by the caller
    /// can take the preempted worker over, while a spinning caller would keep it out for a whole time slice.
    /// </remarks>
    private void WaitDone(Job job, int count)
    {
        var backoff = new Backoff(Stopwatch.GetTimestamp());
        while (Volatile.Read(ref job.Done) < count)
        {
            if (backoff.Pause()) continue;
            lock (_doneGate)
            {
                Interlocked.Exchange(ref _callerBlocked, 1);
                while (Volatile.Read(ref job.Done) < count) Monitor.Wait(_doneGate);
                Volatile.Write(ref _callerBlocked, 0);
            }
        }
    }

    /// <summary>Claims and runs chunks of <paramref name="job"/> while it is still generation <paramref name="generation"/>.</summary>
    private void TakeChunks(Job job, uint generation, int worker)
    {
        int threads = ThreadCount;
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
            // The full fence of the add orders it before the flag read; the caller sets the flag before re-reading Done.
            if (Interlocked.Add(ref job.Done, end - start) == count && worker != 0 && Volatile.Read(ref _callerBlocked) != 0)
                lock (_doneGate) Monitor.PulseAll(_doneGate);
        }
    }

    private void WorkerLoop(int worker)
    {
        long seen = 0;
        while (true)
        {
            var backoff = new Backoff(Stopwatch.GetTimestamp());
            while (Volatile.Read(ref _generation) == seen && !_stopping)
            {
                if (backoff.Pause()) continue;
                lock (_gate)
                {
                    Interlocked.Increment(ref _sleepers);
                    while (Volatile.Read(ref _generation) == seen && !_stopping) Monitor.Wait(_gate);
                    Interlocked.Decrement(ref _sleepers);
                }
            }
            if (_stopping) return;
            seen = Volatile.Read(ref _generation);
            TakeChunks(_jobs[seen & 1], (uint)seen, worker);
        }
    }

    public void Dispose()
    {
        _stopping = true;
        lock (_gate) Monitor.PulseAll(_gate);
        foreach (var t in _threads) t.Join();
    }

    /// <summary>Time-bounded waiting: spin for <see cref="SpinTicks"/>, then yield the core until <see cref="YieldTicks"/>, then block.</summary>
    /// <remarks>
    /// The spin covers the gaps inside a token (the caller's serial steps between two operations last microseconds) and is
    /// about what a futex wake-up costs, so a thread never loses more than twice the best wait. Yielding lets another task
    /// on the same core (the other process, or our own preempted worker) run without giving up our place for long. After
    /// that the thread blocks: a waiting thread on a busy board costs nothing. A struct, so waiting allocates nothing.
    /// </remarks>
    private struct Backoff(long start)
    {
        internal static readonly long SpinTicks = Stopwatch.Frequency * 50 / 1_000_000;
        internal static readonly long YieldTicks = Stopwatch.Frequency * 1_000 / 1_000_000;

        /// <summary>Waits a little; false when the time to spin and yield is over and the thread should block.</summary>
        public readonly bool Pause()
        {
            long waited = Stopwatch.GetTimestamp() - start;
            if (waited < SpinTicks)
            {
                Thread.SpinWait(8);
                return true;
            }
            if (waited < YieldTicks)
            {
                Thread.Yield();
                return true;
            }
            return false;
        }
    }
}
