using EdgeLlm.Core.Model;
using EdgeLlm.Pipeline;
using EdgeLlm.Protocol;

namespace EdgeLlm.Tests.Daemon;

/// <summary>The <c>think</c> request field and config default reach Qwen3's template and the answer filter.</summary>
public sealed class ThinkRequestTests : IDisposable
{
    private readonly ModelEngine _engine = new(Fixtures.Model("qwen3-tiny-f16.gguf"), new ModelOptions { ContextLength = 64, Threads = 1 });

    public void Dispose() => _engine.Dispose();

    private GenerationRequest Map(bool? think, bool defaultThink = false) =>
        new RequestMapper(_engine, new PipelineOptions { DefaultThink = defaultThink }).Map(new WireRequest { Prompt = "Lights on", Think = think }, null!);

    [Fact]
    public void Thinking_off_by_default_adds_the_empty_thought_and_hides_any_thought()
    {
        var off = Map(think: null);
        var on = Map(think: true);
        // "<think>", "\n\n", "</think>", "\n\n": the empty thought Qwen3's template renders for enable_thinking=false.
        Assert.Equal(on.PromptTokens.Length + 4, off.PromptTokens.Length);
        Assert.True(off.Settings.HideThinking);
        Assert.False(on.Settings.HideThinking);
    }

    [Fact]
    public void The_config_default_applies_when_the_request_is_silent_and_the_request_wins()
    {
        Assert.False(Map(think: null, defaultThink: true).Settings.HideThinking);
        Assert.True(Map(think: false, defaultThink: true).Settings.HideThinking);
    }
}
