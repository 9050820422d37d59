using EdgeLlm.Core.Prompts;

namespace EdgeLlm.Core.Tests.Prompts;

public class ChatTemplateDetectionTests
{
    // Short excerpts of the distinctive parts of real tokenizer.chat_template values.
    private const string ChatMlJinja =
        "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    private const string Llama3Jinja =
        "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}";

    private const string Llama2Jinja =
        "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}{% set system_message = messages[0]['content'] %}{% else %}{% set loop_messages = messages %}{% set system_message = false %}{% endif %}{% for message in loop_messages %}{% if loop.index0 == 0 and system_message != false %}{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}{% else %}{% set content = message['content'] %}{% endif %}{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %}";

    private const string MistralV01Jinja =
        "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token}}{% endif %}{% endfor %}";

    private const string MistralV3Jinja =
        "{{- bos_token }}{%- for message in loop_messages %}{%- if message[\"role\"] == \"user\" %}{%- if tools is not none and (message == user_messages[-1]) %}{{- \"[AVAILABLE_TOOLS] [\" }}{%- endif %}{%- if loop.last and system_message is defined %}{{- \"[INST] \" + system_message + \"\\n\\n\" + message[\"content\"] + \"[/INST]\" }}{%- else %}{{- \"[INST] \" + message[\"content\"] + \"[/INST]\" }}{%- endif %}{%- elif message[\"role\"] == \"assistant\" %}{{- \" \" + message[\"content\"]|trim + eos_token}}{%- endif %}{%- endfor %}";

    private const string AlpacaJinja =
        "{% for message in messages %}{% if message['role'] == 'user' %}{{ '### Instruction:\\n' + message['content'] + '\\n\\n' }}{% elif message['role'] == 'assistant' %}{{ '### Response:\\n' + message['content'] + eos_token + '\\n\\n' }}{% endif %}{% endfor %}{% if add_generation_prompt %}{{ '### Response:\\n' }}{% endif %}";

    private const string ZephyrJinja =
        "{% for message in messages %}{% if message['role'] == 'user' %}{{ '<|user|>\\n' + message['content'] + eos_token }}{% endif %}{% endfor %}";

    [Theory]
    [InlineData(ChatMlJinja, "chatml")]
    [InlineData(Llama3Jinja, "llama3")]
    [InlineData(Llama2Jinja, "llama2")]
    [InlineData(MistralV01Jinja, "mistral-v1")]
    [InlineData(MistralV3Jinja, "mistral")]
    [InlineData(AlpacaJinja, "alpaca")]
    [InlineData("llama3", "llama3")]
    [InlineData(" ChatML ", "chatml")]
    public void Detects_by_fingerprint(string jinja, string expected)
    {
        Assert.Equal(expected, ChatTemplates.Detect(jinja).Name);
        Assert.Equal(expected, ChatTemplates.Resolve("auto", jinja).Name);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(ZephyrJinja)]
    public void Falls_back_when_absent_or_unknown(string? jinja)
    {
        Assert.Equal("alpaca", ChatTemplates.Detect(jinja).Name);
        Assert.Equal("raw", ChatTemplates.Detect(jinja, fallback: "raw").Name);
        Assert.Equal("alpaca", ChatTemplates.Resolve("AUTO", jinja).Name);
    }

    [Fact]
    public void Explicit_name_wins_over_the_model_template()
    {
        Assert.Equal("raw", ChatTemplates.Resolve("raw", ChatMlJinja).Name);
    }

    [Fact]
    public void Names_and_lookup()
    {
        Assert.Equal(["alpaca", "chatml", "llama2", "llama3", "mistral", "mistral-v1", "phi3", "qwen3", "raw"], ChatTemplates.Names);
        foreach (string name in ChatTemplates.Names)
            Assert.Equal(name, ChatTemplates.Get(name).Name);
        Assert.Same(ChatTemplates.Get("chatml"), ChatTemplates.Get("CHATML"));
    }

    [Fact]
    public void Unknown_name_lists_valid_names()
    {
        var ex = Assert.Throws<ArgumentException>(() => ChatTemplates.Get("vicuna"));
        Assert.Contains("'vicuna'", ex.Message);
        Assert.Contains("alpaca, chatml, llama2, llama3, mistral, mistral-v1, phi3, qwen3, raw", ex.Message);
        Assert.Contains("Resolve", Assert.Throws<ArgumentException>(() => ChatTemplates.Get("auto")).Message);
        Assert.Throws<ArgumentException>(() => ChatTemplates.Detect(null, fallback: "nope"));
    }
}
