using EdgeLlm.Core.Generation;
using EdgeLlm.Core.Prompts;
using EdgeLlm.Core.Sampling;
using EdgeLlm.Core.Sampling.Grammar;
using EdgeLlm.Config;
using EdgeLlm.Protocol;

namespace EdgeLlm.Pipeline;

/// <summary>
/// Turns a <see cref="WireRequest"/> into a <see cref="GenerationRequest"/>: messages, template, encoded prompt,
/// limits and sampling, applying the daemon defaults. Invalid requests throw <see cref="RequestException"/>
/// (<c>bad_request</c> or <c>too_long</c>) whose message names the field. Thread-safe.
/// </summary>
public sealed class RequestMapper(IGenerationEngine engine, PipelineOptions options)
{
    private readonly ConstraintMapper _constraints = new();

    /// <summary>Compiles and caches grammars, schemas and tool-call constraints.</summary>
    public ConstraintMapper Constraints => _constraints;

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

    public GenerationRequest Map(WireRequest wire, IResponseSink sink) => Map(wire, sink, null);

    /// <param name="toolCalls">
    /// The constraint a transport built from the functions it offers (HTTP <c>tools</c>); the wire request then has no
    /// constraint of its own.
    /// </param>
    public GenerationRequest Map(WireRequest wire, IResponseSink sink, OutputConstraint? toolCalls)
    {
        if (toolCalls is not null && (wire.Grammar ?? wire.JsonSchema ?? wire.Format) is not null)
            throw Bad("tool calls cannot be combined with grammar, json_schema or format");
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
            throw Bad(ErrorText.Plain(e));
        }

        int limit = PromptLimit;
        string what = limit < engine.ContextLength ? "max_prompt_tokens" : "the context size";
        if (CheapTokenBound(rendered) is long atLeast and > 0 && atLeast > limit)
            throw new RequestException(ErrorCodes.TooLong, $"the prompt is at least {atLeast} tokens long (from its length alone) but {what} allows {limit}");

        int[] tokens;
        // One tokenization at a time: senders of big prompts take at most one core from the generation, however many they are.
        // The budget stops it one word past the limit: a prompt just under the byte bound costs the limit's work, not its own.
        lock (_encodeGate) tokens = engine.Encode(rendered, maxTokens: limit);
        if (tokens.Length > limit)
            throw new RequestException(ErrorCodes.TooLong, $"the prompt is more than {limit} tokens long but {what} allows {limit}");

        int maxTokens = wire.MaxTokens ?? options.DefaultMaxTokens;
        if (maxTokens < 0 || maxTokens > options.MaxAnswerTokens)
            throw Bad($"max_tokens must be from 0 to {options.MaxAnswerTokens}, got {maxTokens}");

        // The same range rules as the config file and the command line (Config.Fields).
        var d = options.DefaultSampling;
        var sampling = d with
        {
            Temperature = Checked(wire.Temperature, Fields.Temperature) ?? d.Temperature,
            TopK = (int?)Checked(wire.TopK, Fields.TopK) ?? d.TopK,
            TopP = Checked(wire.TopP, Fields.TopP) ?? d.TopP,
            MinP = Checked(wire.MinP, Fields.MinP) ?? d.MinP,
            RepeatPenalty = Checked(wire.RepeatPenalty, Fields.RepeatPenalty) ?? d.RepeatPenalty,
            FrequencyPenalty = Checked(wire.FrequencyPenalty, Fields.FrequencyPenalty) ?? d.FrequencyPenalty,
            PresencePenalty = Checked(wire.PresencePenalty, Fields.PresencePenalty) ?? d.PresencePenalty,
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
            string text = ErrorText.Plain(e);
            int space = text.IndexOf(' ');
            throw Bad(space > 0 && text.StartsWith("SamplingOptions.", StringComparison.Ordinal) ? field + text[space..] : text);
        }

        var settings = new GenerationSettings
        {
            Sampling = sampling,
            MaxTokens = maxTokens,
            StopStrings = [.. template.DefaultStopStrings, .. wire.Stop ?? []],
            HideThinking = template.HasThinking && !think,
            Constraint = toolCalls ?? _constraints.Map(wire),
            CachePrompt = wire.CachePrompt ?? true,
        };
        return new GenerationRequest(wire.Id, tokens, settings, wire.Stream, template.Name, sink);
    }

    private readonly Lock _encodeGate = new();

    /// <summary>
    /// A lower bound on the prompt's tokens from the byte length of its user text, without tokenizing: no token stands for
    /// more than <see cref="IGenerationEngine.LongestTokenBytes"/> bytes (halved again for safety). A line of a megabyte
    /// is refused in microseconds instead of costing a core and hundreds of megabytes to tokenize. 0 when unknown.
    /// </summary>
    private long CheapTokenBound(RenderedPrompt prompt)
    {
        int longest = engine.LongestTokenBytes;
        if (longest <= 0) return 0;
        long bytes = 0;
        foreach (var segment in prompt.Segments)
            if (!segment.IsTemplate) bytes += System.Text.Encoding.UTF8.GetByteCount(segment.Text);
        return bytes / (2L * longest);
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

    private static float? Checked(float? value, NumberField field) =>
        value is { } v && field.Check(v) is { } problem ? throw Bad($"{field.Key} {problem}") : value;

}
