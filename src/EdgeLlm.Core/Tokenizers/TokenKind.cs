namespace EdgeLlm.Core.Tokenizers;

/// <summary>What a vocabulary entry is, from GGUF's <c>tokenizer.ggml.token_type</c>.</summary>
/// <remarks>The numeric values are the GGUF ones; anything else a file holds reads as <see cref="Undefined"/>.</remarks>
public enum TokenKind : byte
{
    Undefined = 0,
    Normal = 1,
    Unknown = 2,
    Control = 3,
    UserDefined = 4,
    Unused = 5,
    Byte = 6,
}
