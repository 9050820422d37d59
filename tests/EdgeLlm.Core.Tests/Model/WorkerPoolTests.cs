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
}
