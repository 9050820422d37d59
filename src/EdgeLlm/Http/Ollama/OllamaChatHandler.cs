using System.Diagnostics;
using System.Text.Json;
using EdgeLlm.Http.Tools;
using EdgeLlm.Pipeline;
using Microsoft.AspNetCore.Http;

namespace EdgeLlm.Http.Ollama;

/// <summary>
/// <c>/api/chat</c> and <c>/api/generate</c>: streamed as NDJSON by default (<c>"stream": false</c> gives one object),
/// thought in <c>thinking</c>, calls in <c>message.tool_calls</c> with object arguments, and a final <c>done: true</c>
/// chunk with ollama's figures (durations in nanoseconds). An empty conversation or prompt only "loads" the model.
/// </summary>
internal sealed class OllamaChatHandler(HttpApi api)
{
    private static readonly OllamaMessageOut Empty = new("assistant", "");

    public async Task ChatAsync(HttpContext context)
    {
        long start = Stopwatch.GetTimestamp();
        if (await OllamaEndpoints.ReadBodyAsync(context, api, OllamaJson.Web.OllamaChatRequest) is not { } request) return;
        if (!await CheckModelAsync(context, request.Model)) return;
        string model = request.Model!;
        if (request.Messages is not { Count: > 0 })
        {
            var loaded = new OllamaChatChunk(model, Now(), Empty, true) { DoneReason = "load" };
            await HttpApi.WriteJsonAsync(context, 200, loaded, OllamaJson.Web.OllamaChatChunk);
            return;
        }
        api.NoteContextRequest(request.Options?.NumCtx);
        await RunAsync(context, () => OllamaMapping.Chat(request), request.Stream ?? true, new ChatShape(model), start);
    }

    public async Task GenerateAsync(HttpContext context)
    {
        long start = Stopwatch.GetTimestamp();
        if (await OllamaEndpoints.ReadBodyAsync(context, api, OllamaJson.Web.OllamaGenerateRequest) is not { } request) return;
        if (!await CheckModelAsync(context, request.Model)) return;
        string model = request.Model!;
        if (string.IsNullOrEmpty(request.Prompt))
        {
            var loaded = new OllamaGenerateChunk(model, Now(), "", true) { DoneReason = "load" };
            await HttpApi.WriteJsonAsync(context, 200, loaded, OllamaJson.Web.OllamaGenerateChunk);
            return;
        }
        api.NoteContextRequest(request.Options?.NumCtx);
        await RunAsync(context, () => OllamaMapping.Generate(request), request.Stream ?? true, new GenerateShape(model), start);
    }

    private async Task<bool> CheckModelAsync(HttpContext context, string? model)
    {
        if (string.IsNullOrEmpty(model))
        {
            await OllamaEndpoints.ErrorAsync(context, 400, "model is required");
            return false;
        }
        if (api.Model.Matches(model)) return true;
        await OllamaEndpoints.ErrorAsync(context, 404, OllamaEndpoints.NotFound(model));
        return false;
    }

    private async Task RunAsync(HttpContext context, Func<ChatInput> input, bool stream, IShape shape, long start)
    {
        HttpGeneration generation;
        try
        {
            generation = api.Submitter.Submit(input());
        }
        catch (RequestException e)
        {
            await OllamaEndpoints.ErrorAsync(context, HttpSubmitter.StatusFor(e.Code), e.Message);
            return;
        }
        var output = new StreamingResponse(context, stream ? "application/x-ndjson" : "application/json; charset=utf-8", () => generation.Request?.Cancel(CancelReason.ClientGone));
        await foreach (var e in generation.ReadAsync(context.RequestAborted))
        {
            switch (e)
            {
                case FailedEvent failed when !output.Started:
                    await OllamaEndpoints.ErrorAsync(context, HttpSubmitter.StatusFor(failed.Code), failed.Message);
                    return;
                case FailedEvent failed:
                    await output.WriteAsync(Line(new OllamaError(failed.Message), OllamaJson.Web.OllamaError));
                    return;
                case TextEvent text when stream:
                    await output.WriteAsync(shape.Piece(text));
                    break;
                case ToolCallsEvent calls when stream:
                    await output.WriteAsync(shape.Calls(calls.Calls));
                    break;
                case FinishedEvent done when stream:
                    await output.WriteAsync(shape.Final(done, start, whole: false));
                    break;
                case FinishedEvent done:
                    await output.WriteAsync(shape.Final(done, start, whole: true));
                    break;
            }
        }
    }

    private static string Now() => DateTime.UtcNow.ToString("o", System.Globalization.CultureInfo.InvariantCulture);

    private static byte[] Line<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(value, type);
        var line = new byte[json.Length + 1];
        json.CopyTo(line, 0);
        line[^1] = (byte)'\n';
        return line;
    }

    private static IReadOnlyList<OllamaToolCallOut> CallsOut(IReadOnlyList<ToolCall> calls) =>
        [.. calls.Select((c, i) => new OllamaToolCallOut(new OllamaFunctionOut(c.Name, Parse(c.ArgumentsJson), i)))];

    private static JsonElement Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }

    /// <summary>The chunks of one endpoint: chat puts text in <c>message</c>, generate in <c>response</c>.</summary>
    private interface IShape
    {
        byte[] Piece(TextEvent text);
        byte[] Calls(IReadOnlyList<ToolCall> calls);
        byte[] Final(FinishedEvent done, long start, bool whole);
    }

    private sealed class ChatShape(string model) : IShape
    {
        public byte[] Piece(TextEvent t) => Line(new OllamaChatChunk(model, Now(),
            t.IsThinking ? new OllamaMessageOut("assistant", "", Thinking: t.Text) : new OllamaMessageOut("assistant", t.Text), false), OllamaJson.Web.OllamaChatChunk);

        public byte[] Calls(IReadOnlyList<ToolCall> calls) => Line(new OllamaChatChunk(model, Now(),
            new OllamaMessageOut("assistant", "", ToolCalls: CallsOut(calls)), false), OllamaJson.Web.OllamaChatChunk);

        public byte[] Final(FinishedEvent done, long start, bool whole)
        {
            var message = whole
                ? new OllamaMessageOut("assistant", done.Content, done.Thinking.Length > 0 ? done.Thinking : null, done.Calls.Count > 0 ? CallsOut(done.Calls) : null)
                : Empty;
            var final = new OllamaChatChunk(model, Now(), message, true);
            final.Fill(done.Completion, start);
            return Line(final, OllamaJson.Web.OllamaChatChunk);
        }
    }

    private sealed class GenerateShape(string model) : IShape
    {
        public byte[] Piece(TextEvent t) => Line(t.IsThinking
            ? new OllamaGenerateChunk(model, Now(), "", false) { Thinking = t.Text }
            : new OllamaGenerateChunk(model, Now(), t.Text, false), OllamaJson.Web.OllamaGenerateChunk);

        public byte[] Calls(IReadOnlyList<ToolCall> calls) => [];

        public byte[] Final(FinishedEvent done, long start, bool whole)
        {
            var final = new OllamaGenerateChunk(model, Now(), whole ? done.Content : "", true)
            {
                Thinking = whole && done.Thinking.Length > 0 ? done.Thinking : null,
            };
            final.Fill(done.Completion, start);
            return Line(final, OllamaJson.Web.OllamaGenerateChunk);
        }
    }
}
