using EdgeLlm.Core.Prompts;
using EdgeLlm.Http.Tools;

namespace EdgeLlm.Tests.Http;

/// <summary>Tools, calls and results rendered as each family's own template renders them.</summary>
public sealed class ToolPromptRendererTests
{
    private static readonly ToolDefinition Light = new("HassTurnOn", "Turns on a device", "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"}}}");
    private static readonly ToolCall Call = new("call_1", "HassTurnOn", "{\"name\":\"kitchen\"}");

    private static readonly ApiMessage[] Conversation =
    [
        new("system", "You are a home assistant."),
        new("user", "Turn on the kitchen light"),
        new("assistant", "") { ToolCalls = [Call] },
        new("tool", "{\"success\":true}") { ToolName = "HassTurnOn", ToolCallId = "call_1" },
    ];

    [Fact]
    public void Hermes_puts_the_tools_in_the_system_message_and_results_in_tool_response()
    {
        var messages = ToolPromptRenderer.Render(Conversation, [Light], ToolFormat.Hermes);
        string prompt = ChatTemplates.Qwen3.Render(messages).ToPlainString();
        Assert.StartsWith("<|im_start|>system\nYou are a home assistant.\n\n# Tools\n\nYou may call one or more functions", prompt);
        Assert.Contains("<tools>\n{\"type\":\"function\",\"function\":{\"name\":\"HassTurnOn\",\"description\":\"Turns on a device\",\"parameters\":{\"type\":\"object\"", prompt);
        Assert.Contains("<|im_start|>assistant\n<tool_call>\n{\"name\":\"HassTurnOn\",\"arguments\":{\"name\":\"kitchen\"}}\n</tool_call><|im_end|>", prompt);
        Assert.Contains("<|im_start|>user\n<tool_response>\n{\"success\":true}\n</tool_response><|im_end|>\n<|im_start|>assistant\n", prompt);
    }

    [Fact]
    public void Llama3_puts_the_tools_in_the_first_user_message_and_results_in_ipython()
    {
        var messages = ToolPromptRenderer.Render(Conversation, [Light], ToolFormat.Llama3);
        string prompt = ChatTemplates.Llama3.Render(messages).ToPlainString();
        Assert.Contains("<|start_header_id|>user<|end_header_id|>\n\nGiven the following functions, please respond with a JSON", prompt);
        Assert.Contains("\"name\":\"HassTurnOn\"", prompt);
        Assert.Contains("<|start_header_id|>assistant<|end_header_id|>\n\n{\"name\":\"HassTurnOn\",\"parameters\":{\"name\":\"kitchen\"}}<|eot_id|>", prompt);
        Assert.Contains("<|start_header_id|>ipython<|end_header_id|>\n\n{\"success\":true}<|eot_id|>", prompt);
        Assert.Equal(["<|eom_id|>"], ToolPromptRenderer.ExtraStops(ToolFormat.Llama3));
    }

    [Fact]
    public void Mistral_lists_available_tools_before_the_last_question()
    {
        var messages = ToolPromptRenderer.Render(Conversation, [Light], ToolFormat.Mistral);
        string prompt = ChatTemplates.Mistral.Render(messages).ToPlainString();
        Assert.Contains("[AVAILABLE_TOOLS] [{\"type\":\"function\"", prompt);
        Assert.Contains("[TOOL_CALLS] [{\"name\":\"HassTurnOn\",\"arguments\":{\"name\":\"kitchen\"},\"id\":\"call_1\"}]</s>", prompt);
        Assert.Contains("[TOOL_RESULTS] {\"content\":\"{\\\"success\\\":true}\",\"call_id\":\"call_1\"}[/TOOL_RESULTS]", prompt);
    }

    [Theory]
    [InlineData("llama3", ToolFormat.Llama3)]
    [InlineData("qwen3", ToolFormat.Hermes)]
    [InlineData("chatml", ToolFormat.Hermes)]
    [InlineData("mistral", ToolFormat.Mistral)]
    [InlineData("phi3", ToolFormat.Hermes)]
    public void The_format_follows_the_template(string template, ToolFormat expected) =>
        Assert.Equal(expected, ToolFormats.For(ChatTemplates.Get(template)));

    [Fact]
    public void Without_tools_the_conversation_is_unchanged()
    {
        ApiMessage[] plain = [new("user", "Hi")];
        Assert.Equal([ChatMessage.User("Hi")], ToolPromptRenderer.Render(plain, [], ToolFormat.Hermes));
    }
}
