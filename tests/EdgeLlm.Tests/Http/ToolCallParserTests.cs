using EdgeLlm.Http.Tools;

namespace EdgeLlm.Tests.Http;

/// <summary>Each family's way of writing a call, from scripted model outputs.</summary>
public sealed class ToolCallParserTests
{
    private static readonly string[] Names = ["HassTurnOn", "HassLightSet"];

    [Theory]
    [InlineData("<tool_call>\n{\"name\": \"HassTurnOn\", \"arguments\": {\"name\": \"kitchen\"}}\n</tool_call>", "")]
    [InlineData("Sure.\n<tool_call>\n{\"name\": \"HassTurnOn\", \"arguments\": {\"name\": \"kitchen\"}}\n</tool_call>", "Sure.")]
    [InlineData("<tool_call>\n{\"name\": \"HassTurnOn\", \"arguments\": {\"name\": \"kitchen\"}}", "")]
    [InlineData("{\"name\": \"HassTurnOn\", \"parameters\": {\"name\": \"kitchen\"}}", "")]
    [InlineData("<|python_tag|>{\"name\": \"HassTurnOn\", \"parameters\": {\"name\": \"kitchen\"}}", "")]
    [InlineData("```json\n{\"name\": \"HassTurnOn\", \"arguments\": \"{\\\"name\\\": \\\"kitchen\\\"}\"}\n```", "")]
    [InlineData("[TOOL_CALLS] [{\"name\": \"HassTurnOn\", \"arguments\": {\"name\": \"kitchen\"}, \"id\": \"abc123def\"}]", "")]
    public void Every_family_format_gives_one_call_with_object_arguments(string output, string content)
    {
        var (text, calls) = ToolCallParser.Parse(output, Names);
        var call = Assert.Single(calls);
        Assert.Equal("HassTurnOn", call.Name);
        Assert.Equal("kitchen", HttpDaemon.Parse(call.ArgumentsJson).GetProperty("name").GetString());
        Assert.Equal(content, text);
    }

    [Fact]
    public void Several_calls_and_mistral_ids()
    {
        var (_, hermes) = ToolCallParser.Parse(
            "<tool_call>\n{\"name\": \"HassTurnOn\", \"arguments\": {}}\n</tool_call>\n<tool_call>\n{\"name\": \"HassLightSet\", \"arguments\": {\"brightness\": 50}}\n</tool_call>", Names);
        Assert.Equal(["HassTurnOn", "HassLightSet"], hermes.Select(c => c.Name));
        var (_, llama) = ToolCallParser.Parse("{\"name\": \"HassTurnOn\", \"parameters\": {}}; {\"name\": \"HassLightSet\", \"parameters\": {}}", Names);
        Assert.Equal(2, llama.Count);
        var (_, mistral) = ToolCallParser.Parse("[TOOL_CALLS] [{\"name\": \"HassTurnOn\", \"arguments\": {}, \"id\": \"abc123def\"}]", Names);
        Assert.Equal("abc123def", mistral[0].Id);
    }

    [Theory]
    [InlineData("The light is on.")]
    [InlineData("{\"name\": \"FormatDisk\", \"arguments\": {}}")]
    [InlineData("{\"answer\": 42}")]
    [InlineData("<tool_call>\n{\"name\": \"HassTurnOn\", \"arguments\": [1]}\n</tool_call>")]
    [InlineData("<tool_call>not json</tool_call>")]
    public void Text_that_is_no_call_of_an_offered_function_stays_content(string output)
    {
        var (text, calls) = ToolCallParser.Parse(output, Names);
        Assert.Empty(calls);
        Assert.Equal(output, text);
    }

    [Fact]
    public void The_stream_filter_sends_text_at_once_and_holds_back_a_call()
    {
        var filter = new ToolCallStreamFilter();
        Assert.Equal("Sure", filter.Push("Sure"));
        Assert.Equal(", ", filter.Push(", <tool"));
        Assert.Equal("", filter.Push("_call>\n{\"name\""));
        Assert.True(filter.IsCapturing);
        filter.Push(": \"HassTurnOn\", \"arguments\": {}}</tool_call>");
        var (pending, captured) = filter.Finish();
        Assert.Equal("", pending);
        Assert.StartsWith("<tool_call>", captured);

        var plain = new ToolCallStreamFilter();
        Assert.Equal("", plain.Push("  "));
        // "<" might begin <tool_call> or <|python_tag|>: held until the next piece tells.
        Assert.Equal("  Hello ", plain.Push("Hello <"));
        Assert.Equal("<b>", plain.Push("b>"));
        Assert.Equal(("", (string?)null), plain.Finish());
    }

    [Fact]
    public void A_leading_brace_is_captured_until_the_end()
    {
        var filter = new ToolCallStreamFilter();
        Assert.Equal("", filter.Push("\n{\"name\": "));
        Assert.Equal("", filter.Push("\"HassTurnOn\"}"));
        Assert.Equal("\n{\"name\": \"HassTurnOn\"}", filter.Finish().Captured);
    }

    [Fact]
    public void A_leading_list_is_captured_as_mistrals_calls_whose_marker_printed_nothing()
    {
        var filter = new ToolCallStreamFilter();
        Assert.Equal("", filter.Push(" [{\"name\": \"HassTurnOn\", "));
        Assert.Equal("", filter.Push("\"arguments\": {}}]"));
        var (_, captured) = filter.Finish();
        var (content, calls) = ToolCallParser.Parse(captured!, ["HassTurnOn"]);
        Assert.Equal(("", "HassTurnOn"), (content, Assert.Single(calls).Name));
    }
}
