namespace EdgeLlm.Models;

/// <summary>
/// The built-in table behind <c>edgellm pull NAME</c> and <c>edgellm pull --list</c>. RAM is the file (mapped) plus the
/// F16 KV cache at the default context_size of 2048 and about 0.1 GB for the process, rounded up: the model's own
/// shape (layers × KV heads × head size) decides the KV part, e.g. Phi-3 mini has no grouped-query attention.
/// </summary>
public static class CuratedModels
{
    public static readonly IReadOnlyList<CuratedModel> All =
    [
        new("llama3.2-1b", "Llama 3.2 1B Instruct, Q4_K_M", "bartowski/Llama-3.2-1B-Instruct-GGUF", "Llama-3.2-1B-Instruct-Q4_K_M.gguf", 0.8, 1.0),
        new("qwen2.5-1.5b", "Qwen2.5 1.5B Instruct, Q4_K_M", "Qwen/Qwen2.5-1.5B-Instruct-GGUF", "qwen2.5-1.5b-instruct-q4_k_m.gguf", 1.1, 1.3),
        new("qwen3-1.7b", "Qwen3 1.7B, Q4_K_M", "unsloth/Qwen3-1.7B-GGUF", "Qwen3-1.7B-Q4_K_M.gguf", 1.1, 1.5),
        new("llama3.2-3b", "Llama 3.2 3B Instruct, Q4_K_M", "bartowski/Llama-3.2-3B-Instruct-GGUF", "Llama-3.2-3B-Instruct-Q4_K_M.gguf", 2.0, 2.4),
        new("phi3-mini", "Phi-3 mini 4k Instruct, Q4", "microsoft/Phi-3-mini-4k-instruct-gguf", "Phi-3-mini-4k-instruct-q4.gguf", 2.4, 3.3),
        new("mistral-7b", "Mistral 7B Instruct v0.3, Q4_K_M", "bartowski/Mistral-7B-Instruct-v0.3-GGUF", "Mistral-7B-Instruct-v0.3-Q4_K_M.gguf", 4.4, 4.8),
        new("llama3.1-8b", "Llama 3.1 8B Instruct, Q4_K_M", "bartowski/Meta-Llama-3.1-8B-Instruct-GGUF", "Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf", 4.9, 5.3),
    ];

    public static CuratedModel? Find(string name) => All.FirstOrDefault(m => m.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
}
