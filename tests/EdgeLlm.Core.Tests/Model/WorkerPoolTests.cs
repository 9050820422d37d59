using EdgeLlm.Core.Model;

namespace EdgeLlm.Core.Tests.Model;

public class WorkerPoolTests
{
    private sealed class CountingWork(int size) : IParallelWork
    {
        public readonly int[] Hits = new int[size];
        public int ThrowAt = -1;

        public void Execute(int start, int end, int worker)
        {
            for (int i = start; i < end; i++)
            {
                if (i == ThrowAt) throw new InvalidDataException("boom");
                Interlocked.Increment(ref Hits[i]);
            }
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(8)]
    public void Every_item_runs_exactly_once_over_many_short_jobs(int threads)
    {
        using var pool = new WorkerPool(threads);
        var random = new Random(42);
        var work = new CountingWork(4096);
        for (int job = 0; job < 20_000; job++)
        {
            int count = 1 + random.Next(job % 100 == 0 ? 4096 : 64);
            int chunk = 1 + random.Next(16);
            Array.Clear(work.Hits);
            pool.Run(work, count, chunk);
            for (int i = 0; i < count; i++)
                if (work.Hits[i] != 1) Assert.Fail($"job {job}: item {i} of {count} (chunk {chunk}) ran {work.Hits[i]} times");
            for (int i = count; i < count + 1 && i < work.Hits.Length; i++)
                Assert.Equal(0, work.Hits[i]);
        }
    }

    private sealed class ClaimLog : IParallelWork
    {
        public readonly List<(int Start, int End)> Claims = [];

        public void Execute(int start, int end, int worker)
        {
            lock (Claims) Claims.Add((start, end));
        }
    }

    [Theory]
    [InlineData(2, 4096, 64)]
    [InlineData(3, 1000, 8)]
    [InlineData(2, 100, 1)]
    public void Claims_are_whole_chunks_that_shrink_toward_the_end(int threads, int count, int chunk)
    {
        using var pool = new WorkerPool(threads);
        var log = new ClaimLog();
        pool.Run(log, count, chunk);
        var claims = log.Claims.OrderBy(c => c.Start).ToList();
        Assert.Equal(Math.Max(chunk, count / (2 * threads) / chunk * chunk), claims[0].End - claims[0].Start);
        Assert.Equal(chunk, claims[^2].End - claims[^2].Start); // the tail goes one chunk at a time
        for (int i = 0; i < claims.Count; i++)
        {
            Assert.Equal(i == 0 ? 0 : claims[i - 1].End, claims[i].Start);
            Assert.Equal(0, claims[i].Start % chunk);
            if (i > 0) Assert.True(claims[i].End - claims[i].Start <= claims[i - 1].End - claims[i - 1].Start, $"claim {i} grew");
        }
        Assert.Equal(count, claims[^1].End);
    }

    [Fact]
    public void A_failing_item_is_reported_and_the_pool_stays_usable()
    {
        using var pool = new WorkerPool(2);
        var work = new CountingWork(1000) { ThrowAt = 777 };
        var e = Assert.Throws<InvalidOperationException>(() => pool.Run(work, 1000, 10));
        Assert.Contains("boom", e.Message);
        work.ThrowAt = -1;
        Array.Clear(work.Hits);
        pool.Run(work, 1000, 10);
        Assert.All(work.Hits, h => Assert.Equal(1, h));
    }

    /// <summary>Items run by a worker take longer than a wait spins and yields, so the caller has to block for them.</summary>
    private sealed class SlowWorkerWork(int size, int sleepMs) : IParallelWork
    {
        public readonly int[] Hits = new int[size];
        public int WorkerItems;

        public void Execute(int start, int end, int worker)
        {
            if (worker != 0)
            {
                Interlocked.Add(ref WorkerItems, end - start);
                Thread.Sleep(sleepMs);
            }
            for (int i = start; i < end; i++) Interlocked.Increment(ref Hits[i]);
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void Run_returns_only_after_the_items_a_delayed_worker_claimed(int threads)
    {
        using var pool = new WorkerPool(threads);
        var work = new SlowWorkerWork(64, sleepMs: 5);
        for (int job = 0; job < 40; job++)
        {
            Array.Clear(work.Hits);
            pool.Run(work, 64, 4);
            // Checked after Run returned: a caller that stopped waiting early would find a delayed worker's items at 0.
            for (int i = 0; i < 64; i++)
                if (work.Hits[i] != 1) Assert.Fail($"job {job}: item {i} ran {work.Hits[i]} times");
        }
    }

    /// <summary>Each item waits until <paramref name="parties"/> items have started: it completes only if that many threads take part.</summary>
    private sealed class RendezvousWork(int parties) : IParallelWork
    {
        public CountdownEvent Started = new(parties);
        public readonly HashSet<int> Workers = [];

        public void Execute(int start, int end, int worker)
        {
            lock (Workers) Workers.Add(worker);
            Started.Signal();
            if (!Started.Wait(TimeSpan.FromSeconds(20))) throw new TimeoutException("no other thread took an item");
        }
    }

    [Fact]
    public void Workers_that_went_to_sleep_between_jobs_are_woken_by_the_next_one()
    {
        using var pool = new WorkerPool(3);
        for (int round = 0; round < 5; round++)
        {
            // Far past the spin and yield window: the workers are blocked on the monitor when the job arrives.
            Thread.Sleep(30);
            var work = new RendezvousWork(3);
            pool.Run(work, 3, 1);
            Assert.Equal([0, 1, 2], work.Workers.Order());
        }
    }

    [Fact]
    public void A_failure_on_a_worker_thread_reaches_the_caller_even_when_it_blocked()
    {
        using var pool = new WorkerPool(2);
        var work = new FailingOnWorker();
        var e = Assert.Throws<InvalidOperationException>(() => pool.Run(work, 2, 1));
        Assert.Contains("worker boom", e.Message);
        var counting = new CountingWork(100);
        pool.Run(counting, 100, 1);
        Assert.All(counting.Hits, h => Assert.Equal(1, h));
    }

    /// <summary>The caller's item waits until the worker has started its own, which then fails after a while (long enough for the caller to block).</summary>
    private sealed class FailingOnWorker : IParallelWork
    {
        private readonly ManualResetEventSlim _workerStarted = new();

        public void Execute(int start, int end, int worker)
        {
            if (worker == 0)
            {
                if (!_workerStarted.Wait(TimeSpan.FromSeconds(20))) throw new TimeoutException("the worker never took an item");
                return;
            }
            _workerStarted.Set();
            Thread.Sleep(5);
            throw new InvalidDataException("worker boom");
        }
    }

    [Fact]
    public async Task Dispose_ends_workers_that_are_blocked()
    {
        var pool = new WorkerPool(4);
        pool.Run(new CountingWork(100), 100, 1);
        await Task.Delay(30);
        await Task.Run(pool.Dispose).WaitAsync(TimeSpan.FromSeconds(20));
    }
}
