using System.Text;
using EdgeLlm.Protocol;

namespace EdgeLlm.Tests.Daemon;

public class WireParserTests
{
    private static WireLine Parse(string json) => WireParser.Parse(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void Full_request_is_parsed()
    {
        var r = Assert.IsType<WireRequest>(Parse("""{"id":"r1","prompt":"Hi","system":"S","template":"alpaca","max_tokens":128,"temperature":0.7,"top_p":0.9,"seed":1,"stop":["\n\n"],"stream":true}"""));
        Assert.Equal(("r1", "Hi", "S", "alpaca", 128, 0.7f, 0.9f, 1UL, true), (r.Id, r.Prompt, r.System, r.Template, r.MaxTokens, r.Temperature, r.TopP, r.Seed, r.Stream));
        Assert.Equal(["\n\n"], r.Stop!);
    }

    [Fact]
    public void Messages_cancel_and_status()
    {
        var r = Assert.IsType<WireRequest>(Parse("""{"messages":[{"role":"user","content":"a"},{"role":"assistant","content":"b"}]}"""));
        Assert.Equal(2, r.Messages!.Count);
        Assert.Equal("assistant", r.Messages[1].Role);
        Assert.Equal("r9", Assert.IsType<WireCancel>(Parse("""{"cancel":"r9"}""")).TargetId);
        Assert.Equal("s", Assert.IsType<WireStatus>(Parse("""{"op":"status","id":"s"}""")).Id);
        Assert.False(Assert.IsType<WireRequest>(Parse("""{"prompt":"x","cache_prompt":false}""")).CachePrompt);
        Assert.Null(Assert.IsType<WireRequest>(Parse("""{"prompt":"x"}""")).CachePrompt);
    }

    [Theory]
    [InlineData("""{"prompt":"x","max_tokens":"ten"}""", "max_tokens must be an integer")]
    [InlineData("""{"prompt":"x","temperature":"hot"}""", "temperature must be a number")]
    [InlineData("""{"prompt":5}""", "prompt must be a string")]
    [InlineData("""{"prompt":"x","stream":"yes"}""", "stream must be true or false")]
    [InlineData("""{"prompt":"x","think":1}""", "think must be true or false")]
    [InlineData("""{"prompt":"x","cache_prompt":"no"}""", "cache_prompt must be true or false")]
    [InlineData("""{"prompt":"x","seed":-1}""", "seed must be a non-negative integer")]
    [InlineData("""{"prompt":"x","bogus":1}""", "bogus is not a known field")]
    [InlineData("""{"prompt":"x","prompt":"y"}""", "prompt appears twice")]
    [InlineData("""{"messages":[{"role":"user"}]}""", "messages[0].content is required")]
    [InlineData("""{"cancel":5}""", "cancel must be a string")]
    [InlineData("""{"op":"reboot"}""", "unknown op 'reboot'")]
    [InlineData("""[1,2]""", "expected a JSON object")]
    [InlineData("""{"prompt":"x" """, "invalid JSON")]
    public void Bad_lines_name_the_problem(string json, string expected)
    {
        var bad = Assert.IsType<WireInvalid>(Parse(json));
        Assert.Equal(ErrorCodes.BadRequest, bad.Code);
        Assert.Contains(expected, bad.Message);
    }

    [Fact]
    public void Bad_field_keeps_the_id_and_invalid_utf8_is_refused()
    {
        Assert.Equal("r2", Assert.IsType<WireInvalid>(Parse("""{"id":"r2","top_k":1.5}""")).Id);
        var bad = Assert.IsType<WireInvalid>(WireParser.Parse(new byte[] { (byte)'{', (byte)'"', 0xff, 0xfe, (byte)'"', (byte)'}' }));
        Assert.Contains("UTF-8", bad.Message);
    }

    [Theory]
    [InlineData("""{"id":"a","prompt":""", "a", "invalid JSON: the JSON ends before it is complete (an object, array or string is not closed) (at byte 20)")]
    [InlineData("""{"id":"b", nope}""", "b", "invalid JSON: 'n' is an invalid start of a property name (at byte 12)")]
    [InlineData("""{"prompt":"x" "id":"c"}""", null, "invalid JSON: '\"' is invalid after a value (at byte 15)")]
    public void Broken_json_keeps_a_readable_id_and_speaks_plainly(string line, string? id, string message)
    {
        var bad = Assert.IsType<WireInvalid>(WireParser.Parse(System.Text.Encoding.UTF8.GetBytes(line)));
        Assert.Equal((id, message), (bad.Id, bad.Message));
        Assert.DoesNotContain("LineNumber", bad.Message);
        Assert.DoesNotContain("isFinalBlock", bad.Message);
    }
}
