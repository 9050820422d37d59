using System.Text;
using System.Text.Json;
using EdgeLlm.Protocol;

namespace EdgeLlm.Tests.Daemon;

/// <summary>The grammar, json_schema and format request fields, from the wire to the answer.</summary>
[Collection("daemon")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class ConstrainedRequestTests
{
    private static WireLine Parse(string json) => WireParser.Parse(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void Constraint_fields_are_parsed()
    {
        var g = Assert.IsType<WireRequest>(Parse("""{"prompt":"x","grammar":"root ::= \"a\""}"""));
        Assert.Equal("root ::= \"a\"", g.Grammar);
        var s = Assert.IsType<WireRequest>(Parse("""{"prompt":"x","json_schema":{"type":"object","properties":{"a":{"type":"array","items":{"type":"object","properties":{"b":{"enum":[1]}}}}}}}"""));
        using (var doc = JsonDocument.Parse(s.JsonSchema!)) Assert.Equal(JsonValueKind.Object, doc.RootElement.ValueKind);
        Assert.Equal("json", Assert.IsType<WireRequest>(Parse("""{"prompt":"x","format":"json"}""")).Format);
        Assert.StartsWith("{", Assert.IsType<WireRequest>(Parse("""{"prompt":"x","format":{"type":"boolean"}}""")).Format);
    }

    [Theory]
    [InlineData("""{"prompt":"x","grammar":5}""", "grammar must be a string")]
    [InlineData("""{"prompt":"x","json_schema":"{}"}""", "json_schema must be a JSON Schema object")]
    [InlineData("""{"prompt":"x","format":"xml"}""", "format must be \"json\" or a JSON Schema object")]
    public void Bad_constraint_fields_name_the_problem(string json, string expected)
    {
        var bad = Assert.IsType<WireInvalid>(Parse(json));
        Assert.Contains(expected, bad.Message);
    }

    [Fact]
    public async Task Schema_grammar_and_format_answers_match_and_bad_ones_are_refused_while_the_daemon_keeps_serving()
    {
        await using var daemon = await TestDaemon.StartAsync();
        using var client = daemon.Connect();

        client.Send("""{"id":"s","prompt":"Switch the light","temperature":1.0,"seed":7,"max_tokens":60,"json_schema":{"type":"object","properties":{"room":{"enum":["kitchen","hall"]},"action":{"enum":["on","off"]}},"required":["room","action"]}}""");
        var schemaAnswer = await client.ReadOneAsync();
        Assert.Equal("stop", schemaAnswer.Finish());
        using (var answer = JsonDocument.Parse(schemaAnswer.Str("text")))
        {
            Assert.Contains(answer.RootElement.GetProperty("room").GetString(), new[] { "kitchen", "hall" });
            Assert.Contains(answer.RootElement.GetProperty("action").GetString(), new[] { "on", "off" });
        }

        client.Send("""{"id":"g","prompt":"Once upon a time","temperature":1.0,"seed":3,"grammar":"root ::= (\"yes\" | \"no\") \".\""}""");
        var grammarAnswer = await client.ReadOneAsync();
        Assert.Equal("stop", grammarAnswer.Finish());
        Assert.Contains(grammarAnswer.Str("text"), new[] { "yes.", "no." });

        client.Send("""{"id":"f","prompt":"Once upon a time","temperature":1.0,"seed":5,"max_tokens":40,"format":{"type":"array","items":{"type":"boolean"},"maxItems":2}}""");
        var formatAnswer = await client.ReadOneAsync();
        Assert.Equal("stop", formatAnswer.Finish());
        using (var answer = JsonDocument.Parse(formatAnswer.Str("text"))) Assert.Equal(JsonValueKind.Array, answer.RootElement.ValueKind);

        client.Send("""{"id":"bg","prompt":"x","grammar":"root ::= \"a\"\nthing ::= (\"b\""}""");
        var badGrammar = await client.ReadOneAsync();
        Assert.Equal(("bg", "bad_request"), (badGrammar.Str("id"), badGrammar.ErrorCode()));
        Assert.Equal("grammar: expected ')' at line 2, column 15", badGrammar.GetProperty("error").Str("message"));

        client.Send("""{"id":"bs","prompt":"x","json_schema":{"properties":{"name":{"type":"string","pattern":"^a"}}}}""");
        var badSchema = await client.ReadOneAsync();
        Assert.Equal(("bs", "bad_request"), (badSchema.Str("id"), badSchema.ErrorCode()));
        Assert.Equal("json_schema at #/properties/name/pattern: 'pattern' (regular expressions) is not supported", badSchema.GetProperty("error").Str("message"));

        client.Send("""{"id":"two","prompt":"x","format":"json","grammar":"root ::= \"a\""}""");
        Assert.Contains("only one of grammar, json_schema and format", (await client.ReadOneAsync()).GetProperty("error").Str("message"));

        client.Send("""{"id":"ok","prompt":"Once upon a time","max_tokens":4,"temperature":0,"stream":false}""");
        var ok = await client.ReadOneAsync();
        Assert.Equal(("ok", "length"), (ok.Str("id"), ok.Finish()));
    }
}
