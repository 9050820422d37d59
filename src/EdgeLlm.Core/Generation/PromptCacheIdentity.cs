using System.Buffers.Binary;
using EdgeLlm.Core.Model;
using EdgeLlm.Core.Tensors;

namespace EdgeLlm.Core.Generation;

/// <summary>
/// What cached keys and values depend on besides the tokens: the model file (length, modification time, a hash of its
/// header), the KV cache layout (element type, layers, row size), the prompt chunk, and the kernels that computed them
/// (interleaved weights or not, the CPU's kernel family, the thread count). A slot file is used only when all of these
/// equal the running model's, byte for byte, so rows computed by other numerics are never mixed with a cold run's.
/// </summary>
public sealed class PromptCacheIdentity
{
    public const int Bytes = 64;

    private readonly byte[] _block = new byte[Bytes];

    public PromptCacheIdentity(TransformerModel model)
    {
        var file = model.File;
        var kv = model.Cache;
        var b = _block.AsSpan();
        BinaryPrimitives.WriteInt64LittleEndian(b, file.FileLength);
        BinaryPrimitives.WriteInt64LittleEndian(b[8..], System.IO.File.GetLastWriteTimeUtc(file.Path).Ticks);
        unsafe
        {
            BinaryPrimitives.WriteUInt64LittleEndian(b[16..], InterleavedWeightCache.Hash64(new ReadOnlySpan<byte>(file.BasePointer, (int)Math.Min(file.DataOffset, int.MaxValue))));
        }
        BinaryPrimitives.WriteInt32LittleEndian(b[24..], (int)kv.ElementType);
        BinaryPrimitives.WriteInt32LittleEndian(b[28..], kv.LayerCount);
        BinaryPrimitives.WriteInt32LittleEndian(b[32..], kv.RowBytes);
        BinaryPrimitives.WriteInt32LittleEndian(b[36..], model.PromptChunk);
        BinaryPrimitives.WriteInt32LittleEndian(b[40..], model.InterleavedCache != null ? 1 : 0);
        BinaryPrimitives.WriteInt32LittleEndian(b[44..], model.Threads);
        BinaryPrimitives.WriteUInt64LittleEndian(b[48..], InterleavedWeightCache.Hash64(System.Text.Encoding.UTF8.GetBytes(CpuFeatures.KernelIsa)));
        BinaryPrimitives.WriteInt32LittleEndian(b[56..], model.ContextLength);
        BinaryPrimitives.WriteInt32LittleEndian(b[60..], model.Config.VocabSize);
        Key = InterleavedWeightCache.Hash64(_block);
        Chunk = model.PromptChunk;
        BytesPerPosition = kv.BytesPerPosition;
        ContextLength = model.ContextLength;
        VocabSize = model.Config.VocabSize;
    }

    /// <summary>A hash of the whole identity: slot files carry it in their names.</summary>
    public ulong Key { get; }
    public int Chunk { get; }
    public long BytesPerPosition { get; }
    public int ContextLength { get; }
    public int VocabSize { get; }

    public ReadOnlySpan<byte> Block => _block;
}
