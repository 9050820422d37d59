using EdgeLlm.Core.Generation;
using EdgeLlm.Core.Prompts;
using EdgeLlm.Core.Sampling;
using EdgeLlm.Protocol;

namespace EdgeLlm.Pipeline;

/// <summary>
/// Turns a <see cref="WireRequest"/> into a <see cref="GenerationRequest"/>: messages, template, encoded prompt,
/// limits and sampling, applying the daemon defaults. Invalid requests throw <see cref="RequestException"/>
/// (<c>bad_request</c> or <c>too_long</c>) whose message names the field. Thread-safe.
/// </summary>
public sealed class RequestMapper(IGenerationEngine engine, PipelineOptions options)
{
    /// <summary>Wire field names of the sampling options, for error messages.</summary>
    private static readonly Dictionary<string, string> SamplingFields = new(StringComparer.Ordinal)
    {
        [nameof(SamplingOptions.Temperature)] = "temperature",
        [nameof(SamplingOptions.TopK)] = "top_k",
        [nameof(SamplingOptions.TopP)] = "top_p",
        [nameof(SamplingOptions.MinP)] = "min_p",
        [nameof(SamplingOptions.RepeatPenalty)] = "repeat_penalty",
        [nameof(SamplingOptions.FrequencyPenalty)] = "frequency_penalty",
        [nameof(SamplingOptions.PresencePenalty)] = "presence_penalty",
        [nameof(SamplingOptions.PenaltyWindow)] = "penalty_window",
    };

    public int PromptLimit => options.MaxPromptTokens > 0 ? Math.Min(options.MaxPromptTokens, engine.ContextLength) : engine.ContextLength;

    /// <summary>The loaded model's context in tokens.</summary>
    public int ContextLength => engine.ContextLength;

    /// <summary>The template a request gets for <paramref name="name"/> (null = the daemon default).</summary>
    /// <exception cref="ArgumentException">Unknown template name.</exception>
    public ChatTemplate Template(string? name) => engine.ResolveTemplate(name ?? options.DefaultTemplate);

    public GenerationRequest Map(WireRequest wire, IResponseSink sink)
    {
        var messages = Messages(wire);
        string templateName = wire.Template ?? options.DefaultTemplate;
        bool think = wire.Think ?? options.DefaultThink;
        ChatTemplate template;
        RenderedPrompt rendered;
        try
        {
            template = engine.ResolveTemplate(templateName);
            rendered = template.Render(messages, think: think);
        }
        catch (ArgumentException e)
        {
            throw Bad(StripParamName(e.Message));
        }

        int[] tokens = engine.Encode(rendered);
        int limit = PromptLimit;
        if (tokens.Length > limit)
        {
            string what = limit < engine.ContextLength ? "max_prompt_tokens" : "the context size";
            throw new RequestException(ErrorCodes.TooLong, $"the prompt is {tokens.Length} tokens long but {what} allows {limit}");
        }

        int maxTokens = wire.MaxTokens ?? options.DefaultMaxTokens;
        if (maxTokens < 0 || maxTokens > options.MaxAnswerTokens)
            throw Bad($"max_tokens must be from 0 to {options.MaxAnswerTokens}, got {maxTokens}");

        var d = options.DefaultSampling;
        var sampling = d with
        {
            Temperature = wire.Temperature ?? d.Temperature,
            TopK = wire.TopK ?? d.TopK,
            TopP = wire.TopP ?? d.TopP,
            MinP = wire.MinP ?? d.MinP,
            RepeatPenalty = wire.RepeatPenalty ?? d.RepeatPenalty,
            FrequencyPenalty = wire.FrequencyPenalty ?? d.FrequencyPenalty,
            PresencePenalty = wire.PresencePenalty ?? d.PresencePenalty,
            Seed = wire.Seed ?? d.Seed,
            PenaltyWindow = wire.PenaltyWindow ?? d.PenaltyWindow,
        };
        try
        {
            sampling.Validate();
        }
        catch (ArgumentException e)
        {
            string field = e.ParamName is { } p && SamplingFields.TryGetValue(p, out var f) ? f : "sampling";
            string text = StripParamName(e.Message);
            int space = text.IndexOf(' ');
            throw Bad(space > 0 && text.StartsWith("SamplingOptions.", StringComparison.Ordinal) ? field + text[space..] : text);
        }

        var settings = new GenerationSettings
        {
            Sampling = sampling,
            MaxTokens = maxTokens,
            StopStrings = [.. template.DefaultStopStrings, .. wire.Stop ?? []],
            HideThinking = template.HasThinking && !think,
        };
        return new GenerationRequest(wire.Id, tokens, settings, wire.Stream, template.Name, sink);
    }

    private static List<ChatMessage> Messages(WireRequest wire)
    {
        if (wire.Prompt is not null && wire.Messages is not null)
            throw Bad("give either prompt or messages, not both");
        if (wire.Prompt is null && wire.Messages is null)
            throw Bad("prompt is required (or messages for a multi-turn conversation)");
        var messages = new List<ChatMessage>();
        if (wire.System is not null) messages.Add(ChatMessage.System(wire.System));
        if (wire.Prompt is not null) messages.Add(ChatMessage.User(wire.Prompt));
        else messages.AddRange(wire.Messages!);
        return messages;
    }

    private static RequestException Bad(string message) => new(ErrorCodes.BadRequest, message);

    // ArgumentException appends " (Parameter 'x')"; clients need no .NET parameter names.
    private static string StripParamName(string message)
    {
        int at = message.IndexOf(" (Parameter '", StringComparison.Ordinal);
        return at > 0 ? message[..at] : message;
    }
}
