using System.Runtime.CompilerServices;

namespace EdgeLlm.Core.Sampling;

/// <summary>
/// Picks the next token from a logits vector.
/// Chain (llama.cpp's default order): repetition/frequency/presence penalties → grammar mask (when given) → top-k → top-p → min-p
/// → temperature → softmax → draw with a seeded xoshiro256** generator.
/// Greedy (temperature &lt;= 0) is argmax after penalties, ties going to the lowest token id.
/// All buffers are allocated once in the constructor; <see cref="Sample"/> and <see cref="Accept"/> do not allocate.
/// Not thread-safe: use one instance per generation stream.
/// </summary>
public sealed class Sampler
{
    /// <summary>First window size tried when top-p has to work on the unsorted full vocabulary.</summary>
    private const int TopPFirstChunk = 64;

    /// <summary>Top-k up to this size uses a heap scan of the logits; larger k uses quickselect.</summary>
    private const int HeapSelectMaxK = 512;

    private readonly SamplingOptions _options;
    private readonly int _vocabSize;

    // Candidate buffers (vocab size, allocated once).
    private readonly Candidate[] _cand;
    private readonly double[] _weights;

    // Penalty bookkeeping: per-token counts within the window, the set of tokens with a
    // non-zero count (swap-remove list), and a ring buffer of the window's tokens.
    private readonly bool _penalties;
    private readonly int[] _counts;
    private readonly int[] _present;      // tokens with count > 0
    private readonly int[] _presentPos;   // index into _present, -1 when absent
    private int _presentCount;
    private readonly int[] _ring;         // empty when the window is the whole context
    private int _ringStart;
    private int _ringCount;

    private Xoshiro256StarStar _rng;

    /// <param name="options">Sampling settings; validated here.</param>
    /// <param name="vocabSize">Length of every logits vector passed to <see cref="Sample"/>.</param>
    public Sampler(SamplingOptions options, int vocabSize)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(vocabSize, 1);
        options.Validate();

        _options = options;
        _vocabSize = vocabSize;
        Seed = options.Seed ?? (ulong)Random.Shared.NextInt64() ^ ((ulong)Environment.TickCount64 << 32);
        _rng = new Xoshiro256StarStar(Seed);

        _cand = options.IsGreedy ? [] : new Candidate[vocabSize];
        _weights = options.IsGreedy ? [] : new double[vocabSize];

        _penalties = options.PenaltiesEnabled;
        if (_penalties)
        {
            _counts = new int[vocabSize];
            _present = new int[vocabSize];
            _presentPos = new int[vocabSize];
            Array.Fill(_presentPos, -1);
            _ring = options.PenaltyWindow > 0 ? new int[options.PenaltyWindow] : [];
        }
        else
        {
            _counts = _present = _presentPos = _ring = [];
        }
    }

    /// <summary>The options this sampler was built with.</summary>
    public SamplingOptions Options => _options;

    /// <summary>Expected logits length.</summary>
    public int VocabSize => _vocabSize;

    /// <summary>The seed actually in use (the random one when <see cref="SamplingOptions.Seed"/> is null), for reproducing a run.</summary>
    public ulong Seed { get; }

    /// <summary>
    /// Chooses a token. <paramref name="logits"/> must have <see cref="VocabSize"/> entries; penalties are applied
    /// to it in place (the other steps work on an internal candidate buffer).
    /// </summary>
    public int Sample(Span<float> logits) => Sample(logits, null);

    /// <summary>
    /// Chooses a token that <paramref name="constraint"/> allows. Chain: penalties, then the constraint's mask, then
    /// top-k/top-p/min-p/temperature. The mask is only built when needed: the token the unmasked chain picks is
    /// checked first and kept if the constraint allows it (llama.cpp's shortcut; exact for greedy decoding).
    /// </summary>
    /// <exception cref="Grammar.GrammarException">No token of the vocabulary fits the constraint here.</exception>
    public int Sample(Span<float> logits, ITokenConstraint? constraint)
    {
        if (logits.Length != _vocabSize)
            throw new ArgumentException($"Expected {_vocabSize} logits, got {logits.Length}.", nameof(logits));

        ApplyPenalties(logits);
        if (constraint is not { IsActive: true })
            return Choose(logits);

        int first = Choose(logits);
        if (constraint.Allows(first))
            return first;
        if (constraint.Mask(logits) == 0)
            throw new Grammar.GrammarException("no token of the vocabulary can continue the grammar here (is a character it requires missing from the vocabulary?)");
        return Choose(logits);
    }

    private int Choose(Span<float> logits) => _options.IsGreedy ? ArgMax(logits) : Draw(Filter(logits));

    /// <summary>Records a token (prompt or generated) in the penalty history.</summary>
    public void Accept(int token)
    {
        if ((uint)token >= (uint)_vocabSize)
            throw new ArgumentOutOfRangeException(nameof(token), token, $"Token id must be in [0, {_vocabSize}).");
        if (!_penalties)
            return;

        if (_ring.Length > 0)
        {
            if (_ringCount == _ring.Length)
            {
                int evicted = _ring[_ringStart];
                _ring[_ringStart] = token;
                _ringStart = _ringStart + 1 == _ring.Length ? 0 : _ringStart + 1;
                Decrement(evicted);
            }
            else
            {
                int slot = _ringStart + _ringCount;
                if (slot >= _ring.Length) slot -= _ring.Length;
                _ring[slot] = token;
                _ringCount++;
            }
        }
        Increment(token);
    }

    /// <summary>Clears the penalty history and rewinds the random generator to <see cref="Seed"/>.</summary>
    public void Reset()
    {
        _rng = new Xoshiro256StarStar(Seed);
        if (!_penalties)
            return;
        for (int i = 0; i < _presentCount; i++)
        {
            int t = _present[i];
            _counts[t] = 0;
            _presentPos[t] = -1;
        }
        _presentCount = 0;
        _ringStart = 0;
        _ringCount = 0;
    }

    // ---------------------------------------------------------------- penalties

    private void Increment(int token)
    {
        if (_counts[token]++ == 0)
        {
            _presentPos[token] = _presentCount;
            _present[_presentCount++] = token;
        }
    }

    private void Decrement(int token)
    {
        if (--_counts[token] == 0)
        {
            int pos = _presentPos[token];
            int last = _present[--_presentCount];
            _present[pos] = last;
            _presentPos[last] = pos;
            _presentPos[token] = -1;
        }
    }

    /// <summary>
    /// llama.cpp semantics: for every token seen in the window, logit &lt;= 0 is multiplied by the repeat
    /// penalty and logit &gt; 0 divided by it; then count*frequency + presence is subtracted.
    /// </summary>
    internal void ApplyPenalties(Span<float> logits)
    {
        if (!_penalties)
            return;
        float repeat = _options.RepeatPenalty;
        float freq = _options.FrequencyPenalty;
        float presence = _options.PresencePenalty;
        for (int i = 0; i < _presentCount; i++)
        {
            int t = _present[i];
            float l = logits[t];
            l = l <= 0f ? l * repeat : l / repeat;
            logits[t] = l - (_counts[t] * freq + presence);
        }
    }

    // ---------------------------------------------------------------- greedy

    private static int ArgMax(ReadOnlySpan<float> logits)
    {
        int best = 0;
        float bestValue = float.NegativeInfinity;
        bool found = false;
        for (int i = 0; i < logits.Length; i++)
        {
            float v = logits[i];
            if (v > bestValue || (!found && v == bestValue))
            {
                bestValue = v;
                best = i;
                found = true;
            }
        }
        return best; // all NaN: token 0
    }

    // ---------------------------------------------------------------- filters

    /// <summary>Fills the candidate buffer and applies top-k, top-p and min-p. Returns the survivor count.</summary>
    private int Filter(ReadOnlySpan<float> logits)
    {
        Candidate[] cand = _cand;
        int n = logits.Length;

        // Number of leading candidates that are the best ones, in descending order.
        int sorted = 0;

        int k = _options.TopK;
        if (k > 0 && k < n)
        {
            if (k <= HeapSelectMaxK)
            {
                HeapSelectTop(logits, cand.AsSpan(0, k));
            }
            else
            {
                FillCandidates(logits, cand);
                SelectTop(cand.AsSpan(0, n), k);
            }
            n = k;
            SortDescending(cand.AsSpan(0, n));
            sorted = n;
        }
        else
        {
            FillCandidates(logits, cand);
        }

        if (_options.TopP < 1f)
        {
            n = ApplyTopP(n, ref sorted);
        }

        if (_options.MinP > 0f && n > 1)
        {
            n = ApplyMinP(n, sorted);
        }

        return n;
    }

    private static void FillCandidates(ReadOnlySpan<float> logits, Candidate[] cand)
    {
        for (int i = 0; i < logits.Length; i++)
        {
            float v = logits[i];
            cand[i] = new Candidate(i, float.IsNaN(v) ? float.NegativeInfinity : v);
        }
    }

    /// <summary>
    /// Top-k straight from the logits with a size-k heap whose root is the worst kept candidate: one comparison
    /// for most tokens, no full candidate copy. <paramref name="heap"/> ends up holding the k best, unordered.
    /// </summary>
    internal static void HeapSelectTop(ReadOnlySpan<float> logits, Span<Candidate> heap)
    {
        int k = heap.Length;
        for (int i = 0; i < k; i++)
        {
            float v = logits[i];
            heap[i] = new Candidate(i, float.IsNaN(v) ? float.NegativeInfinity : v);
        }
        for (int i = (k >> 1) - 1; i >= 0; i--)
            SiftDown(heap, i, k);

        for (int i = k; i < logits.Length; i++)
        {
            // Ids only grow, so an equal logit loses to everything already kept: strictly greater is required.
            float v = logits[i];
            if (v > heap[0].Logit)
            {
                heap[0] = new Candidate(i, v);
                SiftDown(heap, 0, k);
            }
        }
    }

    /// <summary>
    /// Keeps the smallest prefix (by descending probability at temperature 1) whose mass reaches TopP,
    /// including the token that crosses the threshold. Without top-k the vocabulary is sorted lazily in
    /// growing chunks, so usually only a few dozen candidates are ever sorted.
    /// </summary>
    private int ApplyTopP(int n, ref int sorted)
    {
        Span<Candidate> cand = _cand.AsSpan(0, n);
        float max = sorted > 0 ? cand[0].Logit : MaxLogit(cand);
        if (!float.IsFinite(max))
            return n; // degenerate (+inf or all -inf); the draw handles it

        double total = 0;
        for (int i = 0; i < n; i++)
            total += Math.Exp(cand[i].Logit - max);
        double target = _options.TopP * total;

        double cumulative = 0;
        int start = 0;
        int end = sorted == n ? n : Math.Min(n, TopPFirstChunk);
        while (true)
        {
            if (sorted < end)
            {
                if (end < n)
                    SelectTop(cand[start..], end - start);
                SortDescending(cand[start..end]);
                sorted = end;
            }
            for (int i = start; i < end; i++)
            {
                cumulative += Math.Exp(cand[i].Logit - max);
                if (cumulative >= target)
                {
                    sorted = i + 1;
                    return i + 1;
                }
            }
            if (end == n)
                return n;
            start = end;
            end = (int)Math.Min(n, (long)end * 4);
        }
    }

    /// <summary>Keeps tokens whose probability is at least MinP times the top probability (logit &gt;= max + ln MinP).</summary>
    private int ApplyMinP(int n, int sorted)
    {
        Span<Candidate> cand = _cand.AsSpan(0, n);
        float max = sorted > 0 ? cand[0].Logit : MaxLogit(cand);
        float threshold = max + MathF.Log(_options.MinP);
        if (float.IsNaN(threshold))
            return n;

        if (sorted == n)
        {
            int i = 1; // the top token always survives
            while (i < n && cand[i].Logit >= threshold)
                i++;
            return i;
        }

        int kept = 0;
        for (int i = 0; i < n; i++)
        {
            if (cand[i].Logit >= threshold)
                cand[kept++] = cand[i];
        }
        return kept; // >= 1: the max itself passes
    }

    private static float MaxLogit(ReadOnlySpan<Candidate> cand)
    {
        float max = float.NegativeInfinity;
        foreach (ref readonly Candidate c in cand)
        {
            if (c.Logit > max)
                max = c.Logit;
        }
        return max;
    }

    // ---------------------------------------------------------------- draw

    /// <summary>Softmax of logit/temperature over the survivors, then one uniform draw.</summary>
    private int Draw(int n)
    {
        Span<Candidate> cand = _cand.AsSpan(0, n);
        double u = _rng.NextDouble(); // always consume exactly one draw per sample

        float max = MaxLogit(cand);
        if (!float.IsFinite(max))
            return BestCandidate(cand);

        double invTemp = 1.0 / _options.Temperature;
        Span<double> weights = _weights.AsSpan(0, n);
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            double w = Math.Exp((cand[i].Logit - (double)max) * invTemp);
            weights[i] = w;
            total += w;
        }

        double target = u * total;
        double cumulative = 0;
        int lastPositive = -1;
        for (int i = 0; i < n; i++)
        {
            double w = weights[i];
            if (w <= 0)
                continue;
            cumulative += w;
            lastPositive = i;
            if (target < cumulative)
                return cand[i].Id;
        }
        return lastPositive >= 0 ? cand[lastPositive].Id : BestCandidate(cand);
    }

    private static int BestCandidate(ReadOnlySpan<Candidate> cand)
    {
        Candidate best = cand[0];
        for (int i = 1; i < cand.Length; i++)
        {
            if (CandidateOrder.Before(cand[i], best))
                best = cand[i];
        }
        return best.Id;
    }

    // ---------------------------------------------------------------- selection

    /// <summary>
    /// Partial selection (quickselect, median-of-three pivot): afterwards <c>a[..k]</c> holds the k best
    /// candidates in unspecified order. Candidate ids are unique, so the order is strict and total.
    /// Falls back to a full sort of the remaining range if partitioning degenerates.
    /// </summary>
    internal static void SelectTop(Span<Candidate> a, int k)
    {
        if (k <= 0 || k >= a.Length)
            return;
        int target = k - 1;
        int lo = 0, hi = a.Length - 1;
        int budget = 4 * (64 - System.Numerics.BitOperations.LeadingZeroCount((ulong)a.Length)) + 16;
        while (hi > lo)
        {
            if (--budget < 0)
            {
                SortDescending(a[lo..(hi + 1)]);
                return;
            }
            int mid = lo + ((hi - lo) >> 1);
            // Median of three, moved to a[hi] as the pivot.
            if (CandidateOrder.Before(a[mid], a[lo])) Swap(a, mid, lo);
            if (CandidateOrder.Before(a[hi], a[lo])) Swap(a, hi, lo);
            if (CandidateOrder.Before(a[mid], a[hi])) Swap(a, mid, hi);
            Candidate pivot = a[hi];

            int store = lo;
            for (int i = lo; i < hi; i++)
            {
                if (CandidateOrder.Before(a[i], pivot))
                {
                    Swap(a, i, store);
                    store++;
                }
            }
            Swap(a, store, hi);

            if (store == target)
                return;
            if (store > target)
                hi = store - 1;
            else
                lo = store + 1;
        }
    }

    /// <summary>
    /// In-place non-allocating introsort by <see cref="CandidateOrder"/> (the BCL span sort boxes custom
    /// comparers): quicksort with median-of-three, insertion sort for short ranges, heapsort past a depth limit.
    /// </summary>
    internal static void SortDescending(Span<Candidate> a)
    {
        int depth = 2 * (64 - System.Numerics.BitOperations.LeadingZeroCount((ulong)a.Length));
        IntroSort(a, depth);
    }

    private static void IntroSort(Span<Candidate> a, int depth)
    {
        while (a.Length > 16)
        {
            if (depth-- == 0)
            {
                HeapSort(a);
                return;
            }
            int hi = a.Length - 1, mid = hi >> 1;
            if (CandidateOrder.Before(a[mid], a[0])) Swap(a, mid, 0);
            if (CandidateOrder.Before(a[hi], a[0])) Swap(a, hi, 0);
            if (CandidateOrder.Before(a[mid], a[hi])) Swap(a, mid, hi);
            Candidate pivot = a[hi];
            int store = 0;
            for (int i = 0; i < hi; i++)
            {
                if (CandidateOrder.Before(a[i], pivot))
                {
                    Swap(a, i, store);
                    store++;
                }
            }
            Swap(a, store, hi);
            // Recurse into the smaller side, loop on the larger one.
            if (store < hi - store)
            {
                IntroSort(a[..store], depth);
                a = a[(store + 1)..];
            }
            else
            {
                IntroSort(a[(store + 1)..], depth);
                a = a[..store];
            }
        }
        for (int i = 1; i < a.Length; i++)
        {
            Candidate x = a[i];
            int j = i - 1;
            while (j >= 0 && CandidateOrder.Before(x, a[j]))
            {
                a[j + 1] = a[j];
                j--;
            }
            a[j + 1] = x;
        }
    }

    internal static void HeapSort(Span<Candidate> a)
    {
        // Min-heap on CandidateOrder (the "worst" candidate at the root), so popping to the end sorts best-first.
        for (int i = (a.Length >> 1) - 1; i >= 0; i--)
            SiftDown(a, i, a.Length);
        for (int end = a.Length - 1; end > 0; end--)
        {
            Swap(a, 0, end);
            SiftDown(a, 0, end);
        }
    }

    private static void SiftDown(Span<Candidate> a, int i, int n)
    {
        while (true)
        {
            int child = 2 * i + 1;
            if (child >= n) return;
            if (child + 1 < n && CandidateOrder.Before(a[child], a[child + 1])) child++;
            if (!CandidateOrder.Before(a[i], a[child])) return;
            Swap(a, i, child);
            i = child;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Swap(Span<Candidate> a, int i, int j) => (a[i], a[j]) = (a[j], a[i]);

    // ---------------------------------------------------------------- test hooks

    /// <summary>Runs penalties and filters (no temperature, no draw) and returns the surviving ids, ascending.</summary>
    internal int[] SurvivorsForTest(Span<float> logits)
    {
        ApplyPenalties(logits);
        if (_options.IsGreedy)
            return [ArgMax(logits)];
        int n = Filter(logits);
        int[] ids = new int[n];
        for (int i = 0; i < n; i++)
            ids[i] = _cand[i].Id;
        Array.Sort(ids);
        return ids;
    }

    internal readonly record struct Candidate(int Id, float Logit);

    /// <summary>Descending logit, ties broken by ascending id.</summary>
    internal readonly struct CandidateOrder : IComparer<Candidate>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool Before(in Candidate a, in Candidate b) =>
            a.Logit > b.Logit || (a.Logit == b.Logit && a.Id < b.Id);

        public int Compare(Candidate x, Candidate y) =>
            Before(x, y) ? -1 : Before(y, x) ? 1 : 0;
    }
}
