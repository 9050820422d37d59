using EdgeLlm.Core.Sampling.Grammar;
using EdgeLlm.Http.Tools;
using Microsoft.Extensions.Logging;
using EdgeLlm.Pipeline;
using EdgeLlm.Protocol;

namespace EdgeLlm.Http;

/// <summary>
/// Puts a <see cref="ChatInput"/> into the shared pipeline: renders the tools and tool results the model family's way,
/// maps it like any wire request (same defaults, limits and errors), constrains tool calls to the offered functions and submits it.
/// </summary>
internal sealed class HttpSubmitter(RequestPipeline pipeline, ILogger log)
{
    private int _number;

    /// <summary>Submits; the replies arrive through the returned generation (a refusal too).</summary>
    /// <exception cref="RequestException">The request cannot be served as asked (bad_request, too_long).</exception>
    public HttpGeneration Submit(ChatInput input)
    {
        var mapper = pipeline.Mapper;
        Core.Prompts.ChatTemplate template;
        try
        {
            template = mapper.Template(input.Template);
        }
        catch (ArgumentException e)
        {
            throw new RequestException(ErrorCodes.BadRequest, e.Message);
        }
        var format = ToolFormats.For(template);
        bool think = input.Think ?? pipeline.Options.DefaultThink;
        int maxAnswer = pipeline.Options.MaxAnswerTokens;
        // Ollama's num_predict -1 (and -2) mean "until the end": as far as this daemon lets an answer go.
        int? maxTokens = input.MaxTokens is int n ? (n < 0 ? maxAnswer : Math.Min(n, maxAnswer)) : null;
        var wire = new WireRequest
        {
            Id = $"http-{Interlocked.Increment(ref _number)}",
            Messages = ToolPromptRenderer.Render(input.Messages, input.Tools, format),
            Template = input.Template,
            MaxTokens = maxTokens,
            Temperature = input.Temperature,
            TopP = input.TopP,
            TopK = input.TopK,
            MinP = input.MinP,
            RepeatPenalty = input.RepeatPenalty,
            PenaltyWindow = input.RepeatLastN,
            FrequencyPenalty = input.FrequencyPenalty,
            PresencePenalty = input.PresencePenalty,
            Seed = input.Seed,
            Stop = [.. input.Stop, .. input.Tools.Count > 0 ? ToolPromptRenderer.ExtraStops(format) : []],
            Stream = true,
            Think = think,
            CachePrompt = input.CachePrompt,
            // A JSON format is enforced by the grammar-constrained sampler, like the socket's json_schema field. With
            // tools the answer may be a call instead, so the format is not forced then.
            JsonSchema = input.Tools.Count > 0 ? null : input.JsonSchema ?? (input.JsonObject ? """{"type":"object"}""" : null),
        };
        var generation = new HttpGeneration([.. input.Tools.Select(t => t.Name)], template.HasThinking && think);
        var request = mapper.Map(wire, generation, ToolCalls(input, format));
        generation.Request = request;
        pipeline.Submit(request);
        return generation;
    }

    /// <summary>The grammar of a call of the offered functions: lazy (free text until the family's call marker) unless a call is required.</summary>
    private OutputConstraint? ToolCalls(ChatInput input, ToolFormat format)
    {
        if (input.Tools.Count == 0) return null;
        var tools = ToolCallGrammar.For(format, input.Tools, input.ToolCallRequired, input.ParallelToolCalls);
        foreach (string why in tools.Unenforced)
            log.LogWarning("http: {Why}; that function's arguments are only held to be a JSON object", why);
        return pipeline.Mapper.Constraints.ForTools(tools.Gbnf, tools.Triggers);
    }

    /// <summary>The HTTP status of a pipeline error code.</summary>
    public static int StatusFor(string code) => code switch
    {
        ErrorCodes.BadRequest or ErrorCodes.TooLong => 400,
        ErrorCodes.Busy or "overheated" or "low_memory" => 503,
        ErrorCodes.Timeout => 504,
        _ => 500,
    };
}
