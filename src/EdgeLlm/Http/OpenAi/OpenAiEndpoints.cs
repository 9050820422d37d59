using System.Text;
using System.Text.Json;
using EdgeLlm.Http.Tools;
using EdgeLlm.Pipeline;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace EdgeLlm.Http.OpenAi;

/// <summary>
/// OpenAI's <c>GET /v1/models</c> and <c>POST /v1/chat/completions</c> (one object, or server-sent events ending with
/// <c>data: [DONE]</c>), with tools (string arguments, call ids), <c>usage</c> and <c>finish_reason</c> stop, length or
/// tool_calls. Errors are OpenAI's <c>{"error":{message,type,param,code}}</c>.
/// </summary>
internal static class OpenAiEndpoints
{
    private static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();

    public static void Map(IEndpointRouteBuilder app, HttpApi api)
    {
        app.MapGet("/v1/models", (RequestDelegate)(context =>
        {
            var model = new OpenAiModel(api.Model.Name, "model", new DateTimeOffset(api.Model.Modified).ToUnixTimeSeconds(), "edgellm");
            return HttpApi.WriteJsonAsync(context, 200, new OpenAiModelList("list", [model]), OpenAiJson.Web.OpenAiModelList);
        }));
        app.MapPost("/v1/chat/completions", (RequestDelegate)(context => ChatAsync(context, api)));
    }

    public static Task ErrorAsync(HttpContext context, int status, string message, string? code = null, string? param = null)
    {
        string type = status switch
        {
            401 => "authentication_error",
            404 when code == "model_not_found" => "invalid_request_error",
            >= 500 => "server_error",
            _ => "invalid_request_error",
        };
        return HttpApi.WriteJsonAsync(context, status, new OpenAiError(new OpenAiErrorBody(message, type, param, code)), OpenAiJson.Web.OpenAiError);
    }

    private static async Task ChatAsync(HttpContext context, HttpApi api)
    {
        var (request, failure) = await HttpBody.ReadAsync(context, OpenAiJson.Web.OpenAiChatRequest, api.Settings.MaxBodyBytes);
        if (failure is not null)
        {
            await ErrorAsync(context, failure.Status, failure.Message, failure.Status == 413 ? "request_too_large" : "invalid_request");
            return;
        }
        // A client that names no model gets the loaded one.
        string model = string.IsNullOrEmpty(request!.Model) ? api.Model.Name : request.Model;
        if (!api.Model.Matches(model))
        {
            await ErrorAsync(context, 404, $"The model '{model}' does not exist; this server runs '{api.Model.Name}'", "model_not_found", "model");
            return;
        }
        HttpGeneration generation;
        try
        {
            generation = api.Submitter.Submit(OpenAiMapping.Chat(request));
        }
        catch (RequestException e)
        {
            await ErrorAsync(context, HttpSubmitter.StatusFor(e.Code), e.Message, e.Code);
            return;
        }
        var reply = new Reply(model, request.Stream == true, request.StreamOptions?.IncludeUsage == true);
        var output = new StreamingResponse(context, reply.Stream ? "text/event-stream" : "application/json", () => generation.Request?.Cancel(CancelReason.ClientGone));
        await foreach (var e in generation.ReadAsync(context.RequestAborted))
        {
            switch (e)
            {
                case FailedEvent failed when !output.Started:
                    await ErrorAsync(context, HttpSubmitter.StatusFor(failed.Code), failed.Message, failed.Code);
                    return;
                case FailedEvent failed:
                    await output.WriteAsync(reply.Event(JsonSerializer.SerializeToUtf8Bytes(
                        new OpenAiError(new OpenAiErrorBody(failed.Message, "server_error", null, failed.Code)), OpenAiJson.Web.OpenAiError)));
                    return;
                case TextEvent text when reply.Stream:
                    await output.WriteAsync(reply.Delta(text.IsThinking ? new OpenAiDelta { ReasoningContent = text.Text } : new OpenAiDelta { Content = text.Text }));
                    break;
                case ToolCallsEvent calls when reply.Stream:
                    await output.WriteAsync(reply.Delta(new OpenAiDelta { ToolCalls = CallsOut(calls.Calls, indexed: true) }));
                    break;
                case FinishedEvent done when reply.Stream:
                    await output.WriteAsync(reply.Delta(new OpenAiDelta(), FinishReason(done), Timings(done)));
                    if (reply.IncludeUsage) await output.WriteAsync(reply.Usage(Usage(done)));
                    await output.WriteAsync(Done);
                    break;
                case FinishedEvent done:
                    var message = new OpenAiMessageOut("assistant", done.Calls.Count > 0 && done.Content.Length == 0 ? null : done.Content)
                    {
                        ReasoningContent = done.Thinking.Length > 0 ? done.Thinking : null,
                        ToolCalls = done.Calls.Count > 0 ? CallsOut(done.Calls, indexed: false) : null,
                    };
                    var completion = new OpenAiCompletion(reply.Id, "chat.completion", reply.Created, model,
                        [new OpenAiChoice(0, message, FinishReason(done))], Usage(done)) { Timings = Timings(done) };
                    await output.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(completion, OpenAiJson.Web.OpenAiCompletion));
                    break;
            }
        }
    }

    private static string FinishReason(FinishedEvent done) =>
        done.Calls.Count > 0 ? "tool_calls" : done.Completion.FinishReason == "length" ? "length" : "stop";

    private static OpenAiUsage Usage(FinishedEvent done) =>
        new(done.Completion.PromptTokens, done.Completion.Tokens, done.Completion.PromptTokens + done.Completion.Tokens,
            new OpenAiPromptTokensDetails(done.Completion.ReusedPromptTokens));

    private static OpenAiTimings Timings(FinishedEvent done)
    {
        var c = done.Completion;
        return new OpenAiTimings(c.ReusedPromptTokens, c.PromptTokens - c.ReusedPromptTokens, Math.Round(c.PromptMilliseconds, 1),
            c.FirstTokenMilliseconds is double t ? Math.Round(t, 1) : null, c.Tokens);
    }

    private static IReadOnlyList<OpenAiToolCallOut> CallsOut(IReadOnlyList<ToolCall> calls, bool indexed) =>
        [.. calls.Select((c, i) => new OpenAiToolCallOut(c.Id, "function", new OpenAiFunctionOut(c.Name, c.ArgumentsJson)) { Index = indexed ? i : null })];

    /// <summary>The server-sent events of one streamed completion, all with the same id and time.</summary>
    private sealed class Reply(string model, bool stream, bool includeUsage)
    {
        private bool _roleSent;

        public string Id { get; } = "chatcmpl-" + ToolCall.RandomHex();
        public long Created { get; } = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        public bool Stream => stream;
        public bool IncludeUsage => includeUsage;

        public byte[] Delta(OpenAiDelta delta, string? finishReason = null, OpenAiTimings? timings = null)
        {
            // The first delta names the role, as OpenAI's do.
            if (!_roleSent)
            {
                _roleSent = true;
                delta = delta with { Role = "assistant" };
            }
            var chunk = new OpenAiChunk(Id, "chat.completion.chunk", Created, model, [new OpenAiChunkChoice(0, delta, finishReason)]) { Timings = timings };
            return Event(JsonSerializer.SerializeToUtf8Bytes(chunk, OpenAiJson.Web.OpenAiChunk));
        }

        public byte[] Usage(OpenAiUsage usage) =>
            Event(JsonSerializer.SerializeToUtf8Bytes(new OpenAiChunk(Id, "chat.completion.chunk", Created, model, []) { Usage = usage }, OpenAiJson.Web.OpenAiChunk));

        public byte[] Event(byte[] json)
        {
            var bytes = new byte[json.Length + 8];
            Encoding.ASCII.GetBytes("data: ").CopyTo(bytes, 0);
            json.CopyTo(bytes, 6);
            bytes[^2] = (byte)'\n';
            bytes[^1] = (byte)'\n';
            return bytes;
        }
    }
}
