using EdgeLlm.Core.Gguf;

namespace EdgeLlm.Core.Tokenizers;

/// <summary>The tokenizer part of a GGUF file's metadata, as stored, before any validation.</summary>
/// <remarks>
/// Kept separate from <see cref="GgufFile"/> so the validation and construction in
/// <see cref="Tokenizer.Create"/> can be exercised with hand-made (and deliberately broken) vocabularies.
/// Special token ids are null when the key is absent.
/// </remarks>
internal sealed record TokenizerMetadata(string Model, string[] Tokens)
{
    public string? Pre { get; init; }
    public float[]? Scores { get; init; }
    public long[]? TokenTypes { get; init; }
    public string[]? Merges { get; init; }
    public long? BosId { get; init; }
    public long? EosId { get; init; }
    public long? UnknownId { get; init; }
    public long? PaddingId { get; init; }
    public long? EotId { get; init; }
    public long? EomId { get; init; }
    public bool? AddBos { get; init; }
    public bool? AddEos { get; init; }
    public bool? AddSpacePrefix { get; init; }

    private const string Prefix = "tokenizer.ggml.";

    public static TokenizerMetadata Read(GgufFile file)
    {
        string model = file.Find(Prefix + "model") switch
        {
            null => throw new GgufException($"metadata '{Prefix}model' is missing: the file has no tokenizer"),
            { } v => v.AsString() ?? throw new GgufException($"metadata '{Prefix}model' should be a string but is {v.Type}"),
        };
        return new TokenizerMetadata(model, StringArray(file, "tokens") ?? throw new GgufException($"metadata '{Prefix}tokens' is missing"))
        {
            Pre = OptionalString(file, "pre"),
            Scores = FloatArray(file, "scores"),
            TokenTypes = IntegerArray(file, "token_type"),
            Merges = StringArray(file, "merges"),
            BosId = OptionalInteger(file, "bos_token_id"),
            EosId = OptionalInteger(file, "eos_token_id"),
            UnknownId = OptionalInteger(file, "unknown_token_id"),
            PaddingId = OptionalInteger(file, "padding_token_id"),
            EotId = OptionalInteger(file, "eot_token_id"),
            EomId = OptionalInteger(file, "eom_token_id"),
            AddBos = OptionalBool(file, "add_bos_token"),
            AddEos = OptionalBool(file, "add_eos_token"),
            AddSpacePrefix = OptionalBool(file, "add_space_prefix"),
        };
    }

    private static GgufException WrongType(string key, GgufValue v, string expected) =>
        new($"metadata '{Prefix}{key}' should be {expected} but is {(v.Type == GgufValueType.Array ? $"an array of {v.ElementType}" : v.Type.ToString())}");

    private static string? OptionalString(GgufFile file, string key) =>
        file.Find(Prefix + key) is { } v ? v.AsString() ?? throw WrongType(key, v, "a string") : null;

    private static long? OptionalInteger(GgufFile file, string key) =>
        file.Find(Prefix + key) is { } v ? (v.IsInteger ? v.AsInt64() : null) ?? throw WrongType(key, v, "an integer") : null;

    private static bool? OptionalBool(GgufFile file, string key) =>
        file.Find(Prefix + key) is { } v ? v.AsBool() ?? throw WrongType(key, v, "a boolean") : null;

    private static string[]? StringArray(GgufFile file, string key) =>
        file.Find(Prefix + key) is { } v ? v.AsArray<string>() ?? throw WrongType(key, v, "an array of strings") : null;

    private static float[]? FloatArray(GgufFile file, string key) =>
        file.Find(Prefix + key) is { } v ? v.AsFloatArray() ?? throw WrongType(key, v, "an array of floats") : null;

    private static long[]? IntegerArray(GgufFile file, string key) =>
        file.Find(Prefix + key) is { } v ? v.AsInt64Array() ?? throw WrongType(key, v, "an array of integers") : null;
}
