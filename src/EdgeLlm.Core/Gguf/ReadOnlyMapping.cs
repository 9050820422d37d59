using System.IO.MemoryMappedFiles;

namespace EdgeLlm.Core.Gguf;

/// <summary>A whole file mapped read-only, with a raw pointer that stays valid until <see cref="Dispose"/>.</summary>
/// <remarks>Shared by the GGUF model and the interleaved weight cache: both are read straight from the page cache.</remarks>
internal sealed unsafe class ReadOnlyMapping : IDisposable
{
    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private byte* _base;

    private ReadOnlyMapping(MemoryMappedFile map, MemoryMappedViewAccessor view, byte* start, long length)
    {
        _map = map;
        _view = view;
        _base = start;
        Length = length;
    }

    public long Length { get; }

    public byte* Pointer => _base != null ? _base : throw new ObjectDisposedException(nameof(ReadOnlyMapping));

    /// <summary>Maps the whole of <paramref name="stream"/>, which the mapping then owns (it is disposed on failure too).</summary>
    /// <exception cref="IOException">The file cannot be mapped.</exception>
    /// <exception cref="UnauthorizedAccessException">The file cannot be mapped.</exception>
    public static ReadOnlyMapping Create(FileStream stream)
    {
        long length = stream.Length;
        MemoryMappedFile? map = null;
        MemoryMappedViewAccessor? view = null;
        bool pointerAcquired = false;
        try
        {
            map = MemoryMappedFile.CreateFromFile(stream, mapName: null, capacity: 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
            view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            byte* start = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
            pointerAcquired = true;
            return new ReadOnlyMapping(map, view, start + view.PointerOffset, length);
        }
        catch
        {
            if (pointerAcquired) view!.SafeMemoryMappedViewHandle.ReleasePointer();
            view?.Dispose();
            map?.Dispose();
            stream.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        if (_base == null) return;
        _base = null;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _map.Dispose();
    }
}
