using System.Text.Json;
using EdgeLlm.Core.Sampling.Grammar;
using EdgeLlm.Core.Sampling.Grammar.Schema;

namespace EdgeLlm.Core.Tests.Sampling.Grammar;

public class JsonSchemaGrammarTests
{
    private static GbnfGrammar Compile(string schema)
    {
        using var doc = JsonDocument.Parse(schema);
        return JsonSchemaGrammar.Compile(doc.RootElement);
    }

    private static bool Matches(GbnfGrammar grammar, string text) => GbnfParserTests.Matches(grammar, text);

    [Theory]
    [InlineData(0, 100)]
    [InlineData(-5, 12)]
    [InlineData(-120, -7)]
    [InlineData(17, 17)]
    [InlineData(95, 1234)]
    [InlineData(-1, 0)]
    public void Integer_bounds_match_exactly_the_integers_in_range(long min, long max)
    {
        var g = Compile($$"""{"type":"integer","minimum":{{min}},"maximum":{{max}}}""");
        for (long v = min - 40; v <= max + 40; v++)
            Assert.True(Matches(g, v.ToString(System.Globalization.CultureInfo.InvariantCulture)) == (v >= min && v <= max), $"{v} in [{min}, {max}]");
        Assert.False(Matches(g, "007"));
        Assert.False(Matches(g, "-0"));
    }

    [Fact]
    public void Exclusive_bounds_and_one_sided_bounds()
    {
        var g = Compile("""{"type":"integer","exclusiveMinimum":0}""");
        Assert.False(Matches(g, "0"));
        Assert.True(Matches(g, "1"));
        Assert.True(Matches(g, "98765432109"));
        Assert.False(Matches(g, "-3"));
        var h = Compile("""{"type":"integer","exclusiveMaximum":10}""");
        Assert.True(Matches(h, "9"));
        Assert.True(Matches(h, "-123456"));
        Assert.False(Matches(h, "10"));
    }

    [Fact]
    public void Object_properties_keep_their_order_required_ones_are_required_extras_refused()
    {
        var g = Compile("""{"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"string"},"c":{"type":"boolean"}},"required":["a","c"]}""");
        Assert.True(Matches(g, """{"a":1,"c":true}"""));
        Assert.True(Matches(g, """{ "a": 1, "b": "x", "c": false }"""));
        Assert.False(Matches(g, """{"c":true,"a":1}"""));
        Assert.False(Matches(g, """{"a":1}"""));
        Assert.False(Matches(g, """{"a":1,"c":true,"d":0}"""));
        Assert.False(Matches(g, """{"a":1,,"c":true}"""));
        var optional = Compile("""{"properties":{"x":{"type":"null"},"y":{"type":"null"}}}""");
        Assert.True(Matches(optional, "{}"));
        Assert.True(Matches(optional, """{"y":null}"""));
        Assert.True(Matches(optional, """{"x":null,"y":null}"""));
        Assert.False(Matches(optional, """{"x":null,}"""));
    }

    [Fact]
    public void Strings_arrays_enums_consts_and_type_lists()
    {
        var s = Compile("""{"type":"string","minLength":2,"maxLength":3}""");
        Assert.True(Matches(s, "\"ab\""));
        Assert.True(Matches(s, "\"a\\\"é\""));
        Assert.False(Matches(s, "\"a\""));
        Assert.False(Matches(s, "\"abcd\""));
        var a = Compile("""{"type":"array","items":{"type":"integer"},"minItems":1,"maxItems":2}""");
        Assert.True(Matches(a, "[1]"));
        Assert.True(Matches(a, "[1, 2]"));
        Assert.False(Matches(a, "[]"));
        Assert.False(Matches(a, "[1,2,3]"));
        var e = Compile("""{"enum":["on","off",3,null,{"k":[true]}]}""");
        Assert.True(Matches(e, "\"off\""));
        Assert.True(Matches(e, "{\"k\":[true]}"));
        Assert.False(Matches(e, "\"of\""));
        var t = Compile("""{"type":["number","null"]}""");
        Assert.True(Matches(t, "-1.5e3"));
        Assert.True(Matches(t, "null"));
        Assert.False(Matches(t, "\"1\""));
        var c = Compile("""{"const":"a\"b"}""");
        Assert.True(Matches(c, "\"a\\\"b\""));
    }

    [Fact]
    public void Refs_to_defs_may_recurse()
    {
        var g = Compile("""{"$ref":"#/$defs/node","$defs":{"node":{"type":"object","properties":{"v":{"type":"integer"},"kids":{"type":"array","items":{"$ref":"#/$defs/node"}}},"required":["v"]}}}""");
        Assert.True(Matches(g, """{"v":1,"kids":[{"v":2},{"v":3,"kids":[{"v":4}]}]}"""));
        Assert.False(Matches(g, """{"v":1,"kids":[{"w":2}]}"""));
        var old = Compile("""{"definitions":{"b":{"type":"boolean"}},"anyOf":[{"$ref":"#/definitions/b"},{"type":"string","maxLength":1}]}""");
        Assert.True(Matches(old, "true"));
        Assert.True(Matches(old, "\"x\""));
    }

    [Fact]
    public void Free_form_maps_and_any_values()
    {
        var map = Compile("""{"type":"object","additionalProperties":{"type":"integer"}}""");
        Assert.True(Matches(map, """{"x":1,"y":2}"""));
        Assert.False(Matches(map, """{"x":"1"}"""));
        var any = Compile("{}");
        Assert.True(Matches(any, """[{"a":null},"s",1.5]"""));
    }

    [Theory]
    [InlineData("""{"type":"object","properties":{"name":{"type":"string","pattern":"^a+$"}}}""", "json_schema at #/properties/name/pattern: 'pattern' (regular expressions) is not supported")]
    [InlineData("""{"type":"string","format":"email"}""", "json_schema at #/format: 'format' is not supported")]
    [InlineData("""{"items":{"not":{}}}""", "json_schema at #/items/not: 'not' is not supported")]
    [InlineData("""{"type":"number","minimum":0}""", "json_schema at #/minimum: bounds are supported on integers only, not on number")]
    [InlineData("""{"$ref":"#/$defs/missing"}""", "json_schema at #/$ref: '#/$defs/missing' points to nothing")]
    [InlineData("""{"$ref":"https://example.com/s.json"}""", "json_schema at #/$ref: 'https://example.com/s.json' is not supported (only '#/$defs/NAME' and '#/definitions/NAME')")]
    [InlineData("""{"properties":{"a":{}},"additionalProperties":true}""", "json_schema at #/additionalProperties: only false is supported next to properties (extra keys could repeat declared ones)")]
    [InlineData("""{"properties":{"a":{}},"required":["b"]}""", "json_schema at #/required: names 'b', which has no schema in properties")]
    [InlineData("""{"type":"strin"}""", "json_schema at #/type: unknown type 'strin' (known: string, number, integer, boolean, null, array, object)")]
    [InlineData("""{"type":"integer","minimum":5,"maximum":4}""", "json_schema at #: no integer lies between the bounds 5 and 4")]
    [InlineData("""{"anyOf":[{"type":"string"},{"allOf":[]}]}""", "json_schema at #/anyOf/1/allOf: 'allOf' is not supported")]
    public void Unsupported_parts_are_refused_with_their_path(string schema, string message)
    {
        var e = Assert.Throws<GrammarException>(() => Compile(schema));
        Assert.Equal(message, e.Message);
    }
}

/// <summary>Several schemas in one grammar (tool calls): one rule each, their own $defs, shared primitives, errors named by field.</summary>
public class JsonSchemaGrammarSetTests
{
    private static GbnfGrammar Compile(string root, params (string Rule, string Schema, string Field)[] schemas)
    {
        var docs = schemas.Select(s => JsonDocument.Parse(s.Schema)).ToList();
        try
        {
            return GbnfGrammar.Parse(JsonSchemaGrammar.ToGbnf(root, [.. schemas.Select((s, i) => (s.Rule, docs[i].RootElement, s.Field))]));
        }
        finally
        {
            docs.ForEach(d => d.Dispose());
        }
    }

    [Fact]
    public void Each_schema_is_its_own_rule_with_its_own_defs()
    {
        // Both schemas define "#/$defs/item", differently: each rule must use its own.
        var g = Compile("\"a=\" a-args | \"b=\" b-args",
            ("a-args", """{"type":"object","properties":{"x":{"$ref":"#/$defs/item"}},"required":["x"],"$defs":{"item":{"type":"integer"}}}""", "a"),
            ("b-args", """{"type":"object","properties":{"x":{"$ref":"#/$defs/item"}},"required":["x"],"$defs":{"item":{"enum":["on","off"]}}}""", "b"));
        Assert.True(GbnfParserTests.Matches(g, """a={"x":5}"""));
        Assert.False(GbnfParserTests.Matches(g, """a={"x":"on"}"""));
        Assert.True(GbnfParserTests.Matches(g, """b={"x":"on"}"""));
        Assert.False(GbnfParserTests.Matches(g, """b={"x":5}"""));
        Assert.False(GbnfParserTests.Matches(g, """c={"x":5}"""));
    }

    [Fact]
    public void Errors_name_the_schemas_field()
    {
        var e = Assert.Throws<GrammarException>(() => Compile("a-args", ("a-args", """{"type":"string","pattern":"x"}""", "tools[3].function.parameters")));
        Assert.Equal("tools[3].function.parameters at #/pattern: 'pattern' (regular expressions) is not supported", e.Message);
    }

    [Fact]
    public void With_a_list_for_what_is_unenforced_a_schema_that_cannot_be_expressed_matches_any_object()
    {
        // The first property converts (its rules are written) before the second fails; the fallback rule replaces the lot.
        using var bad = JsonDocument.Parse("""{"type":"object","properties":{"a":{"$ref":"#/$defs/n"},"b":{"type":"string","pattern":"x"}},"$defs":{"n":{"enum":[1,2]}}}""");
        using var good = JsonDocument.Parse("""{"type":"object","properties":{"c":{"type":"boolean"}},"required":["c"]}""");
        var unenforced = new List<string>();
        var g = GbnfGrammar.Parse(JsonSchemaGrammar.ToGbnf("\"1\" one | \"2\" two",
            [("one", bad.RootElement, "tools[0].function.parameters"), ("two", good.RootElement, "tools[1].function.parameters")], unenforced));
        Assert.Equal(["tools[0].function.parameters at #/properties/b/pattern: 'pattern' (regular expressions) is not supported"], unenforced);
        Assert.True(GbnfParserTests.Matches(g, """1{"a":7,"zz":[true]}"""));
        Assert.False(GbnfParserTests.Matches(g, "1[1]"));
        Assert.True(GbnfParserTests.Matches(g, """2{"c":true}"""));
        Assert.False(GbnfParserTests.Matches(g, """2{"c":1}"""));
    }

    [Fact]
    public void A_rule_named_twice_is_a_caller_error()
    {
        Assert.Throws<ArgumentException>(() => Compile("a", ("a", "{}", "x"), ("a", "{}", "y")));
    }
}
