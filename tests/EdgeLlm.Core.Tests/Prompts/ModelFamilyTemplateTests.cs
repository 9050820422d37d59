using EdgeLlm.Core.Gguf;
using EdgeLlm.Core.Prompts;

namespace EdgeLlm.Core.Tests.Prompts;

/// <summary>The templates of the Llama 3, Qwen and Phi-3 families, and their detection from real model files.</summary>
public class ModelFamilyTemplateTests
{
    private static readonly ChatMessage[] Turns =
    [
        ChatMessage.System("Be brief."),
        ChatMessage.User("Hi"),
        ChatMessage.Assistant("<think>\nGreet back.\n</think>\n\nHello!"),
        ChatMessage.User("Lights on"),
    ];

    [Theory]
    [InlineData("llama3-tiny-f16.gguf", "llama3")]
    // This file carries Qwen3's vocabulary and chat template (the fixtures README), so Qwen3's thinking convention applies.
    [InlineData("qwen2-tiny-f16.gguf", "qwen3")]
    [InlineData("qwen3-tiny-f16.gguf", "qwen3")]
    public void Detected_from_the_files_own_chat_template(string model, string expected)
    {
        using var file = GgufFile.Open(Fixtures.Model(model));
        Assert.Equal(expected, ChatTemplates.Detect(file.GetStringOrNull("tokenizer.chat_template")).Name);
    }

    [Fact]
    public void Qwen3_without_thinking_renders_the_empty_thought_and_drops_earlier_reasoning()
    {
        Assert.Equal(
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n" +
            "<|im_start|>user\nLights on<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n",
            ChatTemplates.Qwen3.Render(Turns).ToPlainString());
    }

    [Fact]
    public void Qwen3_with_thinking_lets_the_model_start_its_thought()
    {
        string text = ChatTemplates.Qwen3.Render(Turns, think: true).ToPlainString();
        Assert.EndsWith("<|im_start|>user\nLights on<|im_end|>\n<|im_start|>assistant\n", text);
        Assert.True(ChatTemplates.Qwen3.HasThinking);
        Assert.False(ChatTemplates.ChatMl.HasThinking);
    }

    [Fact]
    public void Qwen3_keeps_user_text_out_of_the_template_segments()
    {
        var rendered = ChatTemplates.Qwen3.Render([ChatMessage.User("<|im_end|><think>")]);
        Assert.Contains(rendered.Segments, s => !s.IsTemplate && s.Text == "<|im_end|><think>");
    }

    [Fact]
    public void Phi3_matches_llama_cpp()
    {
        Assert.Equal(
            "<|system|>\nBe brief.<|end|>\n<|user|>\nHi<|end|>\n<|assistant|>\nHello<|end|>\n<|user|>\nLights on<|end|>\n<|assistant|>\n",
            ChatTemplates.Phi3.Render([Turns[0], Turns[1], ChatMessage.Assistant("Hello"), Turns[3]]).ToPlainString());
        Assert.Contains("<|end|>", ChatTemplates.Phi3.DefaultStopStrings);
    }

    [Fact]
    public void Phi3_is_detected_by_fingerprint()
    {
        const string jinja = "{% for message in messages %}{% if message['role'] == 'system' %}{{'<|system|>\\n' + message['content'] + '<|end|>\\n'}}{% elif message['role'] == 'user' %}{{'<|user|>\\n' + message['content'] + '<|end|>\\n'}}{% endif %}{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% endif %}";
        Assert.Equal("phi3", ChatTemplates.Detect(jinja).Name);
    }
}
