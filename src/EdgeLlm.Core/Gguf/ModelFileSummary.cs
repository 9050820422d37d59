using EdgeLlm.Core.Tensors;

namespace EdgeLlm.Core.Gguf;

/// <summary>The headline figures of a model file, as `edgellm info` shows them.</summary>
public sealed record ModelFileSummary(
    string Architecture,
    string? Name,
    uint GgufVersion,
    long VocabSize,
    long EmbeddingLength,
    long BlockCount,
    long HeadCount,
    long HeadCountKv,
    long FeedForwardLength,
    long ContextLength,
    double RopeFreqBase,
    string FileType,
    int TensorCount,
    IReadOnlyDictionary<string, long> BytesPerType,
    long TensorBytes,
    long FileBytes)
{
    public static ModelFileSummary From(GgufFile file)
    {
        string arch = file.GetStringOrNull("general.architecture") ?? "unknown";
        long Int(string key, long fallback = 0) => file.TryGetInteger($"{arch}.{key}", out long v) ? v : fallback;

        long headCount = Int("attention.head_count");
        long vocab = file.Find("tokenizer.ggml.tokens")?.ArrayLength is int n and > 0 ? n : Int("vocab_size");
        if (vocab == 0 && file.FindTensor("token_embd.weight") is { Dimensions.Length: >= 2 } embd)
            vocab = embd.Dimensions[1];

        var bytesPerType = new SortedDictionary<string, long>(StringComparer.Ordinal);
        long total = 0;
        foreach (var t in file.Tensors)
        {
            string type = GgmlTypeInfo.Name(t.Type);
            bytesPerType[type] = bytesPerType.GetValueOrDefault(type) + t.ByteSize;
            total += t.ByteSize;
        }

        return new ModelFileSummary(
            arch,
            file.GetStringOrNull("general.name"),
            file.Version,
            vocab,
            Int("embedding_length"),
            Int("block_count"),
            headCount,
            Int("attention.head_count_kv", headCount),
            Int("feed_forward_length"),
            Int("context_length"),
            file.Find($"{arch}.rope.freq_base")?.AsDouble() ?? 10000.0,
            file.TryGetInteger("general.file_type", out long ft) ? FileTypeName(ft) : "unknown",
            file.Tensors.Count,
            bytesPerType,
            total,
            file.FileLength);
    }

    /// <summary>llama.cpp's names for <c>general.file_type</c> (the llama_ftype enum).</summary>
    public static string FileTypeName(long fileType) => fileType switch
    {
        0 => "all F32",
        1 => "F16",
        2 => "Q4_0",
        3 => "Q4_1",
        7 => "Q8_0",
        8 => "Q5_0",
        9 => "Q5_1",
        10 => "Q2_K - Medium",
        11 => "Q3_K - Small",
        12 => "Q3_K - Medium",
        13 => "Q3_K - Large",
        14 => "Q4_K - Small",
        15 => "Q4_K - Medium",
        16 => "Q5_K - Small",
        17 => "Q5_K - Medium",
        18 => "Q6_K",
        21 => "Q2_K - Small",
        32 => "BF16",
        _ => $"type {fileType}",
    };
}
