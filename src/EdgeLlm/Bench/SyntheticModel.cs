using System.Buffers.Binary;
using EdgeLlm.Core.Gguf;
using EdgeLlm.Core.Tensors;

namespace EdgeLlm.Bench;

/// <summary>The architecture, shape and quantization mix of a synthetic benchmark model.</summary>
/// <param name="HeadDim">Head size; 0 means Embd / Heads (written as <c>attention.key_length</c> when it differs).</param>
/// <param name="Tied">No output.weight: the token embedding (then Q6_K, as llama-quantize makes it) is the output projection.</param>
/// <param name="RopeFreqs">A Llama 3.1-style <c>rope_freqs.weight</c> (llama only).</param>
/// <param name="SlidingWindow">Phi-3's <c>attention.sliding_window</c> (phi3 only; 0 = not written).</param>
public sealed record SyntheticPreset(
    string Name, string Architecture, int Vocab, int Embd, int Layers, int Heads, int KvHeads, int FeedForward,
    GgmlType Main, int FileType, int HeadDim = 0, bool Tied = false, bool RopeFreqs = false, float RopeBase = 10000f,
    int SlidingWindow = 0)
{
    public int HeadSize => HeadDim > 0 ? HeadDim : Embd / Heads;

    public static readonly IReadOnlyList<SyntheticPreset> All =
    [
        // Llama-2-7B's real shape.
        new("7b-q4_0", "llama", 32000, 4096, 32, 32, 32, 11008, GgmlType.Q4_0, 2),
        new("7b-q4_k_m", "llama", 32000, 4096, 32, 32, 32, 11008, GgmlType.Q4_K, 15),
        // TinyLlama-1.1B's shape (grouped-query attention).
        new("1b-q4_0", "llama", 32000, 2048, 22, 32, 4, 5632, GgmlType.Q4_0, 2),
        new("1b-q4_k_m", "llama", 32000, 2048, 22, 32, 4, 5632, GgmlType.Q4_K, 15),
        new("1b-q8_0", "llama", 32000, 2048, 22, 32, 4, 5632, GgmlType.Q8_0, 7),
        // One layer of TinyLlama's attention (32 query heads of 64 sharing 4 key/value heads) with a small vocabulary and
        // feed-forward: what attention costs per token after a long prompt, counted under qemu in minutes instead of hours.
        new("1b-attention-q4_0", "llama", 512, 2048, 1, 32, 4, 256, GgmlType.Q4_0, 2),
        // The tiny-q4_0 test fixture's shape: a forward pass cheap enough that sampler costs show (grammar bench).
        new("tiny-q4_0", "llama", 32000, 256, 2, 8, 4, 768, GgmlType.Q4_0, 2),
        // The shapes people run on a Pi today, each in Q4_0 and Q4_K_M.
        .. Both("llama3.2-1b", "llama", 128256, 2048, 16, 32, 8, 8192, tied: true, ropeFreqs: true, ropeBase: 500000f),
        .. Both("llama3.2-3b", "llama", 128256, 3072, 28, 24, 8, 8192, tied: true, ropeFreqs: true, ropeBase: 500000f),
        .. Both("llama3.1-8b", "llama", 128256, 4096, 32, 32, 8, 14336, ropeFreqs: true, ropeBase: 500000f),
        .. Both("qwen2.5-1.5b", "qwen2", 151936, 1536, 28, 12, 2, 8960, tied: true, ropeBase: 1000000f),
        .. Both("qwen3-1.7b", "qwen3", 151936, 2048, 28, 16, 8, 6144, headDim: 128, tied: true, ropeBase: 1000000f),
        .. Both("phi3-mini", "phi3", 32064, 3072, 32, 32, 32, 8192).Select(p => p with { SlidingWindow = 2047 }),
    ];

    private static SyntheticPreset[] Both(string name, string arch, int vocab, int embd, int layers, int heads, int kvHeads, int ff,
        int headDim = 0, bool tied = false, bool ropeFreqs = false, float ropeBase = 10000f) =>
    [
        new($"{name}-q4_0", arch, vocab, embd, layers, heads, kvHeads, ff, GgmlType.Q4_0, 2, headDim, tied, ropeFreqs, ropeBase),
        new($"{name}-q4_k_m", arch, vocab, embd, layers, heads, kvHeads, ff, GgmlType.Q4_K, 15, headDim, tied, ropeFreqs, ropeBase),
    ];

    public static SyntheticPreset Get(string name) =>
        All.FirstOrDefault(p => p.Name == name) ?? throw new ArgumentException($"unknown preset '{name}'; choose one of {string.Join(", ", All.Select(p => p.Name))}");
}

/// <summary>
/// Writes a random-weight model of a real shape, in any supported architecture, streaming block by block, so that
/// engines can be benchmarked on identical bytes. Blocks are valid (finite, small scales) and the vocabulary is a
/// well-formed SentencePiece table, so other GGUF tools load the file too. With <see cref="GgmlType.F32"/> weights
/// it also makes small exact models for tests.
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
        string a = p.Architecture;
        int headDim = p.HeadSize, qDim = p.Heads * headDim, kvDim = p.KvHeads * headDim;
        var writer = new GgufWriter()
            .Add("general.architecture", a)
            .Add("general.name", $"edgellm-synthetic-{p.Name}")
            .Add("general.file_type", (uint)p.FileType)
            .Add("general.quantization_version", 2u)
            .Add($"{a}.vocab_size", (uint)p.Vocab)
            .Add($"{a}.context_length", 4096u)
            .Add($"{a}.embedding_length", (uint)p.Embd)
            .Add($"{a}.block_count", (uint)p.Layers)
            .Add($"{a}.feed_forward_length", (uint)p.FeedForward)
            .Add($"{a}.rope.dimension_count", (uint)headDim)
            .Add($"{a}.attention.head_count", (uint)p.Heads)
            .Add($"{a}.attention.head_count_kv", (uint)p.KvHeads)
            .Add($"{a}.attention.layer_norm_rms_epsilon", 1e-5f)
            .Add($"{a}.rope.freq_base", p.RopeBase);
        if (p.HeadDim > 0)
            writer.Add($"{a}.attention.key_length", (uint)headDim).Add($"{a}.attention.value_length", (uint)headDim);
        if (p.SlidingWindow > 0)
            writer.Add($"{a}.attention.sliding_window", (uint)p.SlidingWindow);
        if (vocabulary is null) AddVocabulary(writer, p.Vocab);
        else CopyVocabulary(writer, vocabulary);

        // llama-quantize keeps a tied embedding, which is also the output, at Q6_K.
        GgmlType embedding = p.Tied && p.Main != GgmlType.F32 ? GgmlType.Q6_K : p.Main;
        writer.AddTensor("token_embd.weight", embedding, p.Embd, p.Vocab);
        if (p.RopeFreqs)
            writer.AddTensor("rope_freqs.weight", GgmlType.F32, headDim / 2);
        for (int i = 0; i < p.Layers; i++)
        {
            // Q4_K_M keeps attn_v and ffn_down at Q6_K in the first and last eighth and every third layer between.
            bool moreBits = i < p.Layers / 8 || i >= 7 * p.Layers / 8 || (i - p.Layers / 8) % 3 == 2;
            GgmlType sensitive = p.Main == GgmlType.Q4_K && moreBits ? GgmlType.Q6_K : p.Main;
            string b = $"blk.{i}.";
            writer.AddTensor(b + "attn_norm.weight", GgmlType.F32, p.Embd);
            if (a == "phi3")
                writer.AddTensor(b + "attn_qkv.weight", p.Main, p.Embd, qDim + 2 * kvDim);
            else
                writer.AddTensor(b + "attn_q.weight", p.Main, p.Embd, qDim)
                    .AddTensor(b + "attn_k.weight", p.Main, p.Embd, kvDim)
                    .AddTensor(b + "attn_v.weight", sensitive, p.Embd, kvDim);
            if (a == "qwen2")
                writer.AddTensor(b + "attn_q.bias", GgmlType.F32, qDim)
                    .AddTensor(b + "attn_k.bias", GgmlType.F32, kvDim)
                    .AddTensor(b + "attn_v.bias", GgmlType.F32, kvDim);
            if (a == "qwen3")
                writer.AddTensor(b + "attn_q_norm.weight", GgmlType.F32, headDim)
                    .AddTensor(b + "attn_k_norm.weight", GgmlType.F32, headDim);
            writer.AddTensor(b + "attn_output.weight", p.Main, qDim, p.Embd)
                .AddTensor(b + "ffn_norm.weight", GgmlType.F32, p.Embd);
            if (a == "phi3")
                writer.AddTensor(b + "ffn_up.weight", p.Main, p.Embd, 2 * p.FeedForward);
            else
                writer.AddTensor(b + "ffn_gate.weight", p.Main, p.Embd, p.FeedForward)
                    .AddTensor(b + "ffn_up.weight", p.Main, p.Embd, p.FeedForward);
            writer.AddTensor(b + "ffn_down.weight", sensitive, p.FeedForward, p.Embd);
        }
        writer.AddTensor("output_norm.weight", GgmlType.F32, p.Embd);
        if (!p.Tied)
            // llama-quantize writes the output matrix at Q6_K, unless the file is Q8_0 (or floats) throughout.
            writer.AddTensor("output.weight", p.Main is GgmlType.F32 or GgmlType.Q8_0 ? p.Main : GgmlType.Q6_K, p.Embd, p.Vocab);

        var random = new SplitMix(seed);
        var buffer = new byte[1 << 20];
        writer.WriteTo(output, (index, stream) =>
        {
            var (name, type, dims) = writer.Tensors[index];
            long remaining = GgufWriter.ByteSize(type, dims);
            int block = GgmlTypeInfo.BlockBytes(type);
            int chunk = buffer.Length / block * block;
            while (remaining > 0)
            {
                int n = (int)Math.Min(chunk, remaining);
                if (name == "rope_freqs.weight") FillRopeFreqs(buffer.AsSpan(0, n));
                else FillBlocks(type, buffer.AsSpan(0, n), dims.Length == 1 ? 0 : dims[0], ref random);
                stream.Write(buffer, 0, n);
                remaining -= n;
            }
        });
    }

    /// <summary>Factors from 1 to 8 across the pairs, like Llama 3.1's (1 for high frequencies, 8 for the lowest).</summary>
    private static void FillRopeFreqs(Span<byte> span)
    {
        int pairs = span.Length / 4;
        for (int i = 0; i < pairs; i++)
            BinaryPrimitives.WriteSingleLittleEndian(span[(4 * i)..], 1f + 7f * i / Math.Max(1, pairs - 1));
    }

    /// <summary>
    /// Random payload with scales sized so activations stay in a sane range through every layer. A vector
    /// (<paramref name="rowLength"/> 0: norm weights, biases) is 1 ± 0.1; a float matrix is uniform in ±1/√rowLength.
    /// </summary>
    private static void FillBlocks(GgmlType type, Span<byte> span, long rowLength, ref SplitMix random)
    {
        if (type == GgmlType.F32)
        {
            float spread = rowLength == 0 ? 0.2f : 2f / MathF.Sqrt(rowLength);
            float center = rowLength == 0 ? 1f : 0f;
            for (int i = 0; i < span.Length; i += 4)
                BinaryPrimitives.WriteSingleLittleEndian(span[i..], center + (random.NextFloat() - 0.5f) * spread);
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
                case GgmlType.Q8_0: // d, then 32 int8 quants, -127..127 as llama-quantize writes them
                    WriteHalf(block, 0, scale / 64f);
                    for (int i = 2; i < blockBytes; i++)
                        if (block[i] == 0x80) block[i] = 0x81;
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
