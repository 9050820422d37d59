using System.Buffers;

namespace EdgeLlm.Core.Tokenizers;

/// <summary>One piece of text during merging: a slice of the working buffer, linked to its neighbours.</summary>
/// <remarks>A symbol that was merged into its left neighbour keeps its slot with <see cref="Length"/> 0.</remarks>
internal struct Symbol
{
    public int Start;
    public int Length;
    public int Prev;
    public int Next;
}

/// <summary>A candidate merge of two adjacent symbols.</summary>
/// <remarks>
/// <see cref="Size"/> is the combined length when the candidate was made: symbols only ever grow, so a
/// candidate whose symbols no longer add up to it is stale and is skipped when popped, which is cheaper
/// than removing it from the heap when a neighbour changes.
/// </remarks>
internal readonly record struct Bigram(int Left, int Right, int Size, float Score);

/// <summary>A max-heap of merge candidates: highest score first, then leftmost.</summary>
/// <remarks>
/// The leftmost rule matters: vocabularies with equal scores everywhere (or BPE ranks converted to
/// scores) tokenize exactly like the reference only if ties go to the lower left index.
/// The storage is rented, so call <see cref="Dispose"/>.
/// </remarks>
internal struct BigramQueue : IDisposable
{
    private Bigram[] _items;
    private int _count;

    public BigramQueue(int capacity) => _items = ArrayPool<Bigram>.Shared.Rent(Math.Max(capacity, 16));

    public readonly int Count => _count;

    public void Clear() => _count = 0;

    public void Push(Bigram item)
    {
        if (_count == _items.Length) Grow();
        int i = _count++;
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            if (!Before(item, _items[parent])) break;
            _items[i] = _items[parent];
            i = parent;
        }
        _items[i] = item;
    }

    public Bigram Pop()
    {
        var top = _items[0];
        var last = _items[--_count];
        int i = 0;
        while (true)
        {
            int child = 2 * i + 1;
            if (child >= _count) break;
            if (child + 1 < _count && Before(_items[child + 1], _items[child])) child++;
            if (!Before(_items[child], last)) break;
            _items[i] = _items[child];
            i = child;
        }
        if (_count > 0) _items[i] = last;
        return top;
    }

    private static bool Before(in Bigram a, in Bigram b) => a.Score > b.Score || (a.Score == b.Score && a.Left < b.Left);

    private void Grow()
    {
        var bigger = ArrayPool<Bigram>.Shared.Rent(_items.Length * 2);
        _items.AsSpan(0, _count).CopyTo(bigger);
        ArrayPool<Bigram>.Shared.Return(_items);
        _items = bigger;
    }

    public void Dispose()
    {
        if (_items is null) return;
        ArrayPool<Bigram>.Shared.Return(_items);
        _items = null!;
    }
}
