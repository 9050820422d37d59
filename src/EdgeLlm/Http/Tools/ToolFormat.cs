using EdgeLlm.Core.Prompts;

namespace EdgeLlm.Http.Tools;

/// <summary>How a model family is told about tools and how it writes a call.</summary>
public enum ToolFormat
{
    /// <summary>Qwen2.5, Qwen3, Hermes and other ChatML models: <c>&lt;tool_call&gt;{"name":…,"arguments":…}&lt;/tool_call&gt;</c>.</summary>
    Hermes,

    /// <summary>Llama 3.1/3.2: a bare JSON <c>{"name":…,"parameters":…}</c>, possibly after <c>&lt;|python_tag|&gt;</c>; results in the <c>ipython</c> role.</summary>
    Llama3,

    /// <summary>Mistral: <c>[AVAILABLE_TOOLS]</c> before the question, <c>[TOOL_CALLS][{…}]</c> as the answer.</summary>
    Mistral,
}

public static class ToolFormats
{
    /// <summary>The family's format from its chat template; templates that have none of their own get Hermes, the most widely trained one.</summary>
    public static ToolFormat For(ChatTemplate template) => template.Name switch
    {
        "llama3" => ToolFormat.Llama3,
        "mistral" or "mistral-v1" => ToolFormat.Mistral,
        _ => ToolFormat.Hermes,
    };
}
