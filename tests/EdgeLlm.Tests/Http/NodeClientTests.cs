namespace EdgeLlm.Tests.Http;

/// <summary>The real ollama-js and openai clients (tests/node) against the daemon, with scripted answers where a tiny model cannot choose.</summary>
public sealed class NodeClientTests
{
    private const string HermesCall = "<tool_call>\n{\"name\": \"HassTurnOn\", \"arguments\": {\"name\": \"kitchen light\", \"domain\": [\"light\"]}}\n</tool_call>";

    private static ScriptedEngine Script(ScriptedEngine engine, string call) => engine
        .When("<tool_response>", "The kitchen light is now on.")
        .When("\"success\":true", "The kitchen light is now on.")
        .When("Turn on the kitchen light", call)
        .When("Say hello", "Hello from the Pi!")
        .When("Give JSON", "{\"on\": true}");

    [Fact]
    public async Task Ollama_js()
    {
        if (NodeClients.Missing() is not null) return;
        await using var d = await HttpDaemon.StartAsync(template: "chatml", maxBody: 64 * 1024, contextLength: 4096);
        Script(d.Engine, HermesCall);
        await NodeClients.RunAsync("ollama-client.mjs", d.Base);
    }

    [Fact]
    public async Task Openai_node()
    {
        if (NodeClients.Missing() is not null) return;
        await using var d = await HttpDaemon.StartAsync(template: "chatml", contextLength: 4096);
        Script(d.Engine, HermesCall);
        await NodeClients.RunAsync("openai-client.mjs", d.Base);
    }

    [Theory]
    [InlineData("stories260K.gguf", "chatml", "<tool_call>\n{\"name\": \"HassTurnOn\", \"arguments\": {\"name\": \"Kitchen Light\", \"domain\": [\"light\"]}}\n</tool_call>")]
    [InlineData("qwen3-tiny-f16.gguf", "auto", "<tool_call>\n{\"name\": \"HassTurnOn\", \"arguments\": {\"name\": \"Kitchen Light\", \"domain\": [\"light\"]}}\n</tool_call>")]
    [InlineData("llama3-tiny-f16.gguf", "auto", "<|python_tag|>{\"name\": \"HassTurnOn\", \"parameters\": {\"name\": \"Kitchen Light\", \"domain\": [\"light\"]}}")]
    [InlineData("qwen2-tiny-f16.gguf", "auto", "{\"name\": \"HassTurnOn\", \"arguments\": {\"name\": \"Kitchen Light\", \"domain\": [\"light\"]}}")]
    [InlineData("stories260K.gguf", "mistral", "[TOOL_CALLS] [{\"name\": \"HassTurnOn\", \"arguments\": {\"name\": \"Kitchen Light\", \"domain\": [\"light\"]}, \"id\": \"a1b2c3d4e\"}]")]
    public async Task Home_assistant_conversation_replay(string modelFile, string template, string call)
    {
        if (NodeClients.Missing() is not null) return;
        await using var d = await HttpDaemon.StartAsync(template: template, apiKey: "ha-key", modelFile: modelFile, contextLength: 4096);
        d.Engine.When("action_done", "The kitchen light is now on.").When("Turn on the kitchen light", call);
        await NodeClients.RunAsync("ha-replay.mjs", d.Base, key: "ha-key");
    }
}
