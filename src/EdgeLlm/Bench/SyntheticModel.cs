using System.Buffers.Binary;
using EdgeLlm.Core.Gguf;
using EdgeLlm.Core.Tensors;

namespace EdgeLlm.Bench;

/// <summary>The shape and quantization mix of a synthetic benchmark model.</summary>
public sealed record SyntheticPreset(string Name, int Vocab, int Embd, int Layers, int Heads, int KvHeads, int FeedForward, GgmlType Main, int FileType)
{
    public static readonly IReadOnlyList<SyntheticPreset> All =
    [
        // Llama-2-7B's real shape.
        new("7b-q4_0", 32000, 4096, 32, 32, 32, 11008, GgmlType.Q4_0, 2),
        new("7b-q4_k_m", 32000, 4096, 32, 32, 32, 11008, GgmlType.Q4_K, 15),
        // TinyLlama-1.1B's shape (grouped-query attention).
        new("1b-q4_0", 32000, 2048, 22, 32, 4, 5632, GgmlType.Q4_0, 2),
        // The tiny-q4_0 test fixture's shape: a forward pass cheap enough that sampler costs show (grammar bench).
        new("tiny-q4_0", 32000, 256, 2, 8, 4, 768, GgmlType.Q4_0, 2),
    ];

    public static SyntheticPreset Get(string name) =>
        All.FirstOrDefault(p => p.Name == name) ?? throw new ArgumentException($"unknown preset '{name}'; choose one of {string.Join(", ", All.Select(p => p.Name))}");
}

/// <summary>
/// Writes a random-weight llama model of a real shape, streaming block by block, so that engines can be
/// benchmarked on identical bytes. Blocks are valid (finite, small scales) and the vocabulary is a
/// well-formed SentencePiece table, so other GGUF tools load the file too.
/// </summary>
public static class SyntheticModel
{
    /// <param name="vocabulary">
    /// A GGUF file whose tokenizer (every <c>tokenizer.ggml.*</c> key) the model gets instead of the synthetic one, its
    /// size replacing the preset's: e.g. a large vocabulary on a llama-architecture model, to measure vocabulary-bound costs.
    /// </param>
    public static void Write(SyntheticPreset p, Stream output, ulong seed = 0x5EED, GgufFile? vocabulary = null)
    {
        if (vocabulary is not null)
            p = p with { Vocab = vocabulary.Find("tokenizer.ggml.tokens")?.ArrayLength ?? throw new GgufException("the vocabulary file has no tokenizer.ggml.tokens") };
        var writer = new GgufWriter()
            .Add("general.architecture", "llama")
            .Add("general.name", $"edgellm-synthetic-{p.Name}")
            .Add("general.file_type", (uint)p.FileType)
            .Add("general.quantization_version", 2u)
            .Add("llama.vocab_size", (uint)p.Vocab)
            .Add("llama.context_length", 4096u)
            .Add("llama.embedding_length", (uint)p.Embd)
            .Add("llama.block_count", (uint)p.Layers)
            .Add("llama.feed_forward_length", (uint)p.FeedForward)
            .Add("llama.rope.dimension_count", (uint)(p.Embd / p.Heads))
            .Add("llama.attention.head_count", (uint)p.Heads)
            .Add("llama.attention.head_count_kv", (uint)p.KvHeads)
            .Add("llama.attention.layer_norm_rms_epsilon", 1e-5f)
            .Add("llama.rope.freq_base", 10000f);
        if (vocabulary is null) AddVocabulary(writer, p.Vocab);
        else CopyVocabulary(writer, vocabulary);

        int kvDim = p.Embd / p.Heads * p.KvHeads;
        writer.AddTensor("token_embd.weight", p.Main, p.Embd, p.Vocab);
        for (int i = 0; i < p.Layers; i++)
        {
            // Q4_K_M keeps attn_v and ffn_down at Q6_K in the first and last eighth and every third layer between.
            bool moreBits = i < p.Layers / 8 || i >= 7 * p.Layers / 8 || (i - p.Layers / 8) % 3 == 2;
            GgmlType sensitive = p.Main == GgmlType.Q4_K && moreBits ? GgmlType.Q6_K : p.Main;
            writer.AddTensor($"blk.{i}.attn_norm.weight", GgmlType.F32, p.Embd)
                .AddTensor($"blk.{i}.attn_q.weight", p.Main, p.Embd, p.Embd)
                .AddTensor($"blk.{i}.attn_k.weight", p.Main, p.Embd, kvDim)
                .AddTensor($"blk.{i}.attn_v.weight", sensitive, p.Embd, kvDim)
                .AddTensor($"blk.{i}.attn_output.weight", p.Main, p.Embd, p.Embd)
                .AddTensor($"blk.{i}.ffn_norm.weight", GgmlType.F32, p.Embd)
                .AddTensor($"blk.{i}.ffn_gate.weight", p.Main, p.Embd, p.FeedForward)
                .AddTensor($"blk.{i}.ffn_up.weight", p.Main, p.Embd, p.FeedForward)
                .AddTensor($"blk.{i}.ffn_down.weight", sensitive, p.FeedForward, p.Embd);
        }
        writer.AddTensor("output_norm.weight", GgmlType.F32, p.Embd)
            .AddTensor("output.weight", GgmlType.Q6_K, p.Embd, p.Vocab);

        var random = new SplitMix(seed);
        var buffer = new byte[1 << 20];
        writer.WriteTo(output, (index, stream) =>
        {
            var (_, type, dims) = writer.Tensors[index];
            long remaining = GgufWriter.ByteSize(type, dims);
            int block = GgmlTypeInfo.BlockBytes(type);
            int chunk = buffer.Length / block * block;
            while (remaining > 0)
            {
                int n = (int)Math.Min(chunk, remaining);
                FillBlocks(type, buffer.AsSpan(0, n), dims[0], ref random);
                stream.Write(buffer, 0, n);
                remaining -= n;
            }
        });
    }

    /// <summary>Random payload with scales sized so activations stay in a sane range through every layer.</summary>
    private static void FillBlocks(GgmlType type, Span<byte> span, long rowLength, ref SplitMix random)
    {
        if (type == GgmlType.F32)
        {
            for (int i = 0; i < span.Length; i += 4)
                BinaryPrimitives.WriteSingleLittleEndian(span[i..], 1.0f + (random.NextFloat() - 0.5f) * 0.2f);
            return;
        }
        random.Fill(span);
        int blockBytes = GgmlTypeInfo.BlockBytes(type);
        float unit = 1.0f / MathF.Sqrt(rowLength);
        for (int b = 0; b < span.Length; b += blockBytes)
        {
            var block = span.Slice(b, blockBytes);
            float scale = unit * (0.5f + random.NextFloat());
            switch (type)
            {
                case GgmlType.Q4_0: // d, then 16 bytes of nibbles (values -8..7)
                    WriteHalf(block, 0, scale / 4.6f);
                    break;
                case GgmlType.Q4_K: // d, dmin, 12 bytes of 6-bit scales/mins, 128 bytes of nibbles
                    WriteHalf(block, 0, scale / 300f);
                    WriteHalf(block, 2, scale / 600f);
                    break;
                case GgmlType.Q6_K: // 128 ql, 64 qh, 16 int8 scales, then d
                    WriteHalf(block, 208, scale / 2000f);
                    break;
                default:
                    throw new NotSupportedException($"synthetic blocks of {type}");
            }
        }
    }

    private static void WriteHalf(Span<byte> block, int offset, float value) =>
        BinaryPrimitives.WriteUInt16LittleEndian(block[offset..], Fp16.FromSingle(value));

    private static void AddVocabulary(GgufWriter writer, int size)
    {
        var tokens = new string[size];
        var scores = new float[size];
        var types = new int[size];
        tokens[0] = "<unk>"; types[0] = 2;
        tokens[1] = "<s>"; types[1] = 3;
        tokens[2] = "</s>"; types[2] = 3;
        for (int b = 0; b < 256; b++)
        {
            tokens[3 + b] = $"<0x{b:X2}>";
            types[3 + b] = 6;
        }
        const string letters = "abcdefghijklmnopqrstuvwxyz";
        for (int i = 259; i < size; i++)
        {
            // Distinct pieces: "▁" plus the index written in base 26.
            var piece = new System.Text.StringBuilder("\u2581");
            for (int v = i - 259; ; v = v / 26 - 1)
            {
                piece.Insert(1, letters[v % 26]);
                if (v < 26) break;
            }
            tokens[i] = piece.ToString();
            scores[i] = -(i - 259);
            types[i] = 1;
        }
        writer.Add("tokenizer.ggml.model", "llama")
            .Add("tokenizer.ggml.tokens", tokens)
            .Add("tokenizer.ggml.scores", scores)
            .Add("tokenizer.ggml.token_type", types)
            .Add("tokenizer.ggml.bos_token_id", 1u)
            .Add("tokenizer.ggml.eos_token_id", 2u)
            .Add("tokenizer.ggml.unknown_token_id", 0u)
            .Add("tokenizer.ggml.add_bos_token", true)
            .Add("tokenizer.ggml.add_eos_token", false);
    }

    private static void CopyVocabulary(GgufWriter writer, GgufFile source)
    {
        foreach (var (key, value) in source.MetadataInFileOrder)
        {
            if (!key.StartsWith("tokenizer.", StringComparison.Ordinal)) continue;
            if (value.AsString() is { } text) writer.Add(key, text);
            else if (value.AsBool() is { } flag) writer.Add(key, flag);
            else if (value.IsInteger) writer.Add(key, (uint)value.AsInt64()!.Value);
            else if (value.AsArray<string>() is { } strings) writer.Add(key, strings);
            else if (value.Type == GgufValueType.Array && value.ElementType == GgufValueType.Float32) writer.Add(key, value.AsFloatArray()!);
            else if (value.AsInt64Array() is { } integers) writer.Add(key, integers.Select(i => (int)i).ToArray());
            // Other kinds (none in real tokenizers) are left out.
        }
    }

    /// <summary>A tiny, fast, deterministic generator: 8 random bytes per step.</summary>
    private struct SplitMix(ulong seed)
    {
        private ulong _state = seed;

        public ulong Next()
        {
            ulong z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        public float NextFloat() => (Next() >> 40) * (1.0f / (1 << 24));

        public void Fill(Span<byte> span)
        {
            var words = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(span);
            for (int i = 0; i < words.Length; i++) words[i] = Next();
            for (int i = words.Length * 8; i < span.Length; i++) span[i] = (byte)Next();
        }
    }
}
