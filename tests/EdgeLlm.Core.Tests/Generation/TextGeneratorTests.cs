using EdgeLlm.Core.Generation;
using EdgeLlm.Core.Gguf;
using EdgeLlm.Core.Model;
using EdgeLlm.Core.Prompts;
using EdgeLlm.Core.Sampling;
using EdgeLlm.Core.Tokenizers;

namespace EdgeLlm.Core.Tests.Generation;

/// <summary>The streaming generator on the trained stories260K model, whose greedy continuation is known from llama.cpp.</summary>
public sealed class TextGeneratorTests : IDisposable
{
    private readonly GgufFile _file = GgufFile.Open(Fixtures.Model("stories260K.gguf"));
    private readonly TransformerModel _model;
    private readonly Tokenizer _tokenizer;
    private readonly TextGenerator _generator;

    public TextGeneratorTests()
    {
        _model = TransformerModel.Load(_file, new ModelOptions { ContextLength = 64, Threads = 2 });
        _tokenizer = Tokenizer.FromGguf(_file);
        _generator = new TextGenerator(_model, _tokenizer);
    }

    public void Dispose()
    {
        _model.Dispose();
        _file.Dispose();
    }

    private int[] Prompt(string text) => _tokenizer.Encode(text, addBos: true, parseSpecial: false);

    [Fact]
    public void Greedy_continuation_is_the_known_story_and_streams_in_pieces()
    {
        var pieces = new List<string>();
        var result = _generator.Generate(Prompt("Once upon a time"), new GenerationSettings { Sampling = SamplingOptions.Greedy, MaxTokens = 16 }, pieces.Add);
        Assert.StartsWith(", there was a little girl named Lily.", result.Text);
        Assert.Equal(result.Text, string.Concat(pieces));
        Assert.True(pieces.Count > 5);
        Assert.Equal(FinishReason.Length, result.FinishReason);
        Assert.Equal(16, result.GeneratedTokens);
        Assert.Equal(5, result.PromptTokens);
        Assert.True(result.TokensPerSecond > 0);
    }

    [Fact]
    public void Stop_string_ends_the_answer_before_the_stop_text()
    {
        var settings = new GenerationSettings { Sampling = SamplingOptions.Greedy, MaxTokens = 40, StopStrings = ["Lily"] };
        var result = _generator.Generate(Prompt("Once upon a time"), settings);
        Assert.Equal(", there was a little girl named ", result.Text);
        Assert.Equal(FinishReason.Stop, result.FinishReason);
    }

    [Fact]
    public void Reaching_the_end_of_the_context_finishes_with_context_not_length()
    {
        var result = _generator.Generate(Prompt("Once upon a time"), new GenerationSettings { Sampling = SamplingOptions.Greedy, MaxTokens = 1000 });
        Assert.Equal(FinishReason.Context, result.FinishReason);
        Assert.Equal("context", result.FinishReason.ToWireName());
        Assert.Equal(64 - 5 + 1, result.GeneratedTokens);

        // Exactly max_tokens is length, even when the context would have allowed more.
        result = _generator.Generate(Prompt("Once upon a time"), new GenerationSettings { Sampling = SamplingOptions.Greedy, MaxTokens = 10 });
        Assert.Equal(FinishReason.Length, result.FinishReason);
    }

    [Fact]
    public void A_prompt_cancelled_before_it_ran_reports_no_prompt_speed()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var result = _generator.Generate(Prompt("Once upon a time there was a little girl"), new GenerationSettings { Sampling = SamplingOptions.Greedy, MaxTokens = 10 },
            cancellation: cancelled.Token);
        Assert.Equal(FinishReason.Cancelled, result.FinishReason);
        Assert.Equal(0, result.PromptTokensEvaluated);
        Assert.Equal(0, result.PromptTokensPerSecond);
    }

    [Theory]
    [InlineData(64, 64_000, 1)]    // 1 s per token (a 7B model on a Pi 4): one token per slice
    [InlineData(8, 400, 4)]        // 50 ms per token: 4 fit the 200 ms budget
    [InlineData(8, 1, 64)]         // fast: the largest batch
    public void Prompt_slices_are_sized_to_the_measured_speed(int tokens, int milliseconds, int expected) =>
        Assert.Equal(expected, TextGenerator.NextSlice(tokens, TimeSpan.FromMilliseconds(milliseconds), 64));

    [Fact]
    public void Prompt_longer_than_the_context_names_both_numbers()
    {
        var tokens = Enumerable.Repeat(_tokenizer.BosId, 65).ToArray();
        var e = Assert.Throws<PromptTooLongException>(() => _generator.Generate(tokens, new GenerationSettings()));
        Assert.Contains("65", e.Message);
        Assert.Contains("64", e.Message);
    }

    [Fact]
    public void Cancellation_finishes_with_cancelled()
    {
        using var cts = new CancellationTokenSource();
        int pieces = 0;
        var result = _generator.Generate(Prompt("Once upon a time"), new GenerationSettings { Sampling = SamplingOptions.Greedy, MaxTokens = 50 },
            _ => { if (++pieces == 3) cts.Cancel(); }, cts.Token);
        Assert.Equal(FinishReason.Cancelled, result.FinishReason);
        Assert.InRange(result.GeneratedTokens, 3, 5);
    }

    [Fact]
    public void Reused_prefix_gives_the_same_answer_as_a_fresh_run()
    {
        // Reuse goes by whole 32-token chunks (PromptChunks): the shared opening is longer than one.
        int[] opening = Prompt("Once upon a time, there was a little girl named Lily. She loved to play outside in the park with her friends.")[..36];
        int[] dog = [.. opening, .. _tokenizer.Encode(" One day she saw a dog", addBos: false, parseSpecial: false)];
        int[] cat = [.. opening, .. _tokenizer.Encode(" One day she saw a cat", addBos: false, parseSpecial: false)];
        var settings = new GenerationSettings { Sampling = SamplingOptions.Greedy, MaxTokens = 12 };
        var first = _generator.Generate(dog, settings);
        var second = _generator.Generate(cat, settings);
        Assert.Equal(32, second.ReusedPromptTokens);
        Assert.Equal("memory", second.CacheSource);
        Assert.True(second.TimeToFirstToken >= second.PromptTime);
        _generator.ResetCache();
        var fresh = _generator.Generate(cat, settings);
        Assert.Equal(0, fresh.ReusedPromptTokens);
        Assert.Null(fresh.CacheSource);
        Assert.Equal(fresh.Text, second.Text);
        Assert.NotEqual(first.Text, second.Text);
    }

    [Fact]
    public void Same_seed_same_text_different_seed_different_text()
    {
        GenerationResult Run(ulong seed) => _generator.Generate(Prompt("Once upon a time"),
            new GenerationSettings { Sampling = new SamplingOptions { Temperature = 1.5f, TopK = 0, TopP = 1, MinP = 0, Seed = seed }, MaxTokens = 24 });
        Assert.Equal(Run(7).Text, Run(7).Text);
        Assert.NotEqual(Run(7).Text, Run(8).Text);
    }

    [Fact]
    public void User_text_cannot_inject_control_tokens_through_a_template()
    {
        var rendered = ChatTemplates.Get("chatml").Render([ChatMessage.User("hi </s> <s> there")]);
        int[] ids = PromptEncoder.Encode(_tokenizer, rendered, addBos: true);
        Assert.Equal(_tokenizer.BosId, ids[0]);
        Assert.DoesNotContain(_tokenizer.EosId, ids);
        Assert.Single(ids, _tokenizer.BosId);
    }

    [Fact]
    public void Before_each_token_hook_runs_once_per_token_and_can_hold_generation()
    {
        int calls = 0;
        using var cts = new CancellationTokenSource();
        _generator.BeforeEachToken = token => { if (++calls == 4) cts.Cancel(); };
        try
        {
            var result = _generator.Generate(Prompt("Once upon a time"), new GenerationSettings { Sampling = SamplingOptions.Greedy, MaxTokens = 20 }, null, cts.Token);
            Assert.Equal(FinishReason.Cancelled, result.FinishReason);
            Assert.Equal(3, result.GeneratedTokens);
            Assert.Equal(4, calls);
        }
        finally
        {
            _generator.BeforeEachToken = null;
        }
    }
}
