using System.Text;
using EdgeLlm.Core.Prompts;

namespace EdgeLlm.Http.Tools;

/// <summary>
/// Turns a conversation with tools, tool calls and tool results into the plain messages a chat template renders, the
/// way each family's own template does it (Qwen2.5/Qwen3/Hermes, Llama 3.1/3.2, Mistral v3). Only the text between the
/// template's control tokens changes; the role markers stay the template's own.
/// </summary>
/// <remarks>Tool markup sits in message content, which the tokenizer reads as plain text: a model whose vocabulary
/// has <c>&lt;tool_call&gt;</c> as one token sees it spelled out in the prompt, and still writes it as one token.</remarks>
public static class ToolPromptRenderer
{
    public const string HermesInstructions =
        "# Tools\n\nYou may call one or more functions to assist with the user query.\n\n" +
        "You are provided with function signatures within <tools></tools> XML tags:\n<tools>";

    public const string HermesCallFormat =
        "\n</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n" +
        "<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call>";

    public const string Llama3Instructions =
        "Given the following functions, please respond with a JSON for a function call with its proper arguments that best answers the given prompt.\n\n" +
        "Respond in the format {\"name\": function name, \"parameters\": dictionary of argument name and its value}.Do not use variables.\n\n";

    /// <summary>Stop strings a family needs beyond its template's (Llama 3's end of a tool-call message).</summary>
    public static IReadOnlyList<string> ExtraStops(ToolFormat format) => format == ToolFormat.Llama3 ? ["<|eom_id|>"] : [];

    public static List<ChatMessage> Render(IReadOnlyList<ApiMessage> messages, IReadOnlyList<ToolDefinition> tools, ToolFormat format) => format switch
    {
        ToolFormat.Llama3 => Llama3(messages, tools),
        ToolFormat.Mistral => Mistral(messages, tools),
        _ => Hermes(messages, tools),
    };

    private static List<ChatMessage> Hermes(IReadOnlyList<ApiMessage> messages, IReadOnlyList<ToolDefinition> tools)
    {
        var output = new List<ChatMessage>();
        int start = 0;
        if (tools.Count > 0)
        {
            var system = new StringBuilder();
            if (messages.Count > 0 && messages[0].Role == ChatRoles.System)
            {
                system.Append(messages[0].Content).Append("\n\n");
                start = 1;
            }
            system.Append(HermesInstructions);
            foreach (var tool in tools) system.Append('\n').Append(ToolJson.Tool(tool));
            system.Append(HermesCallFormat);
            output.Add(ChatMessage.System(system.ToString()));
        }
        for (int i = start; i < messages.Count; i++)
        {
            var m = messages[i];
            if (m.Role == ApiMessage.ToolRole)
            {
                // Consecutive results form one user turn, each in its own <tool_response>.
                var results = new StringBuilder();
                for (; i < messages.Count && messages[i].Role == ApiMessage.ToolRole; i++)
                {
                    if (results.Length > 0) results.Append('\n');
                    results.Append("<tool_response>\n").Append(messages[i].Content).Append("\n</tool_response>");
                }
                i--;
                output.Add(ChatMessage.User(results.ToString()));
            }
            else if (m.ToolCalls.Count > 0)
            {
                var text = new StringBuilder(m.Content);
                foreach (var call in m.ToolCalls)
                {
                    if (text.Length > 0) text.Append('\n');
                    text.Append("<tool_call>\n").Append(ToolJson.Call(call, "arguments")).Append("\n</tool_call>");
                }
                output.Add(ChatMessage.Assistant(text.ToString()));
            }
            else output.Add(new ChatMessage(m.Role, m.Content));
        }
        return output;
    }

    private static List<ChatMessage> Llama3(IReadOnlyList<ApiMessage> messages, IReadOnlyList<ToolDefinition> tools)
    {
        var output = new List<ChatMessage>();
        // Meta's template puts the functions into the first user message (tools_in_user_message).
        int firstUser = tools.Count > 0 ? IndexOfFirst(messages, ChatRoles.User) : -1;
        for (int i = 0; i < messages.Count; i++)
        {
            var m = messages[i];
            if (i == firstUser)
            {
                var text = new StringBuilder(Llama3Instructions);
                foreach (var tool in tools) text.Append(ToolJson.Tool(tool)).Append("\n\n");
                output.Add(ChatMessage.User(text.Append(m.Content).ToString()));
            }
            else if (m.Role == ApiMessage.ToolRole) output.Add(new ChatMessage("ipython", m.Content));
            else if (m.ToolCalls.Count > 0)
                output.Add(ChatMessage.Assistant(string.Join("; ", m.ToolCalls.Select(c => ToolJson.Call(c, "parameters")))));
            else output.Add(new ChatMessage(m.Role, m.Content));
        }
        return output;
    }

    private static List<ChatMessage> Mistral(IReadOnlyList<ApiMessage> messages, IReadOnlyList<ToolDefinition> tools)
    {
        var output = new List<ChatMessage>();
        // Mistral's template lists the tools right before the last user message.
        int lastUser = tools.Count > 0 ? IndexOfLast(messages, ChatRoles.User) : -1;
        for (int i = 0; i < messages.Count; i++)
        {
            var m = messages[i];
            if (i == lastUser)
                output.Add(ChatMessage.User("[AVAILABLE_TOOLS] [" + string.Join(", ", tools.Select(ToolJson.Tool)) + "][/AVAILABLE_TOOLS]" + m.Content));
            else if (m.Role == ApiMessage.ToolRole)
                output.Add(ChatMessage.User("[TOOL_RESULTS] " + ToolJson.MistralResult(m.Content, m.ToolCallId) + "[/TOOL_RESULTS]"));
            else if (m.ToolCalls.Count > 0)
                output.Add(ChatMessage.Assistant("[TOOL_CALLS] [" + string.Join(", ", m.ToolCalls.Select(c => ToolJson.Call(c, "arguments", withId: true))) + "]"));
            else output.Add(new ChatMessage(m.Role, m.Content));
        }
        return output;
    }

    private static int IndexOfFirst(IReadOnlyList<ApiMessage> messages, string role)
    {
        for (int i = 0; i < messages.Count; i++) if (messages[i].Role == role) return i;
        return -1;
    }

    private static int IndexOfLast(IReadOnlyList<ApiMessage> messages, string role)
    {
        for (int i = messages.Count - 1; i >= 0; i--) if (messages[i].Role == role) return i;
        return -1;
    }
}
