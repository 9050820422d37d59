using System.Text.Json;

namespace EdgeLlm.Tests.Mqtt;

/// <summary>The grammar fields over MQTT: same payloads as the socket, same answers and refusals.</summary>
public class MqttConstrainedTests
{
    [Fact]
    public async Task Schema_constrained_answer_and_a_bad_grammar_refusal_over_mqtt()
    {
        using var broker = new MosquittoBroker();
        await using var node = await new MqttNode(broker, "grammar").StartAsync();
        await using var client = await MqttTestClient.ConnectAsync(broker, node.Topics.Prefix + "/reply/#");

        await client.PublishAsync(node.Topics.Prompt,
            """{"id":"j1","prompt":"Lights?","temperature":1.0,"seed":4,"max_tokens":40,"json_schema":{"type":"object","properties":{"on":{"type":"boolean"}},"required":["on"]}}""");
        var done = (await client.RepliesUntilFinalAsync(node.Topics.Prefix + "/reply/j1"))[^1];
        Assert.Equal("stop", done.GetProperty("finish_reason").GetString());
        using (var answer = JsonDocument.Parse(done.GetProperty("text").GetString()!))
            Assert.True(answer.RootElement.GetProperty("on").ValueKind is JsonValueKind.True or JsonValueKind.False);

        await client.PublishAsync(node.Topics.Prompt, """{"id":"j2","prompt":"x","grammar":"root ::= undefined-rule"}""");
        var error = (await client.RepliesUntilFinalAsync(node.Topics.Prefix + "/reply/j2"))[^1].GetProperty("error");
        Assert.Equal("bad_request", error.GetProperty("code").GetString());
        Assert.Equal("grammar: undefined rule 'undefined-rule' at line 1, column 10", error.GetProperty("message").GetString());
    }
}
