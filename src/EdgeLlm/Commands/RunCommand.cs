using EdgeLlm.Core.Generation;
using EdgeLlm.Core.Model;
using EdgeLlm.Core.Prompts;
using EdgeLlm.Core.Tokenizers;

namespace EdgeLlm.Commands;

/// <summary>
/// <c>edgellm run --model M --prompt P [--template T] [--system S] [--input I] [sampling flags] [--max-tokens N] [--stop S]...
/// [--grammar-file F | --json-schema F | --format json]</c>:
/// answers one prompt standalone, streaming the answer to stdout and the figures to stderr.
/// </summary>
internal static class RunCommand
{
    public static int Run(string[] args)
    {
        var a = new ArgReader(args, new HashSet<string> { "think" }, CliAliases.Run);
        var modelArgs = ModelArgs.Read(a);
        string prompt = a.Get("prompt") ?? (a.Get("prompt-file") is { } pf ? InputFiles.ReadUtf8(pf) : throw new CliException("missing required option --prompt (or --prompt-file)"));
        string templateName = a.Get("template") ?? ChatTemplates.Auto;
        string? system = a.Get("system");
        string? input = a.Get("input");
        var sampling = SamplingArgs.Read(a).Over(new Core.Sampling.SamplingOptions());
        int maxTokens = (int?)a.GetNumber("max-tokens", Config.Fields.MaxTokens) ?? 256;
        var stops = a.GetAll("stop");
        bool think = a.Flag("think");
        var constraint = ConstraintArgs.Read(a);
        a.RejectUnknown();

        using var file = modelArgs.Open();
        var tokenizer = Tokenizer.FromGguf(file);
        ChatTemplate template;
        try
        {
            template = ChatTemplates.Resolve(templateName, file.GetStringOrNull("tokenizer.chat_template"));
        }
        catch (ArgumentException e)
        {
            throw new CliException(Protocol.ErrorText.Plain(e));
        }

        var messages = new List<ChatMessage>();
        if (system is not null) messages.Add(ChatMessage.System(system));
        messages.Add(ChatMessage.User(prompt));
        if (input is not null) messages.Add(ChatMessage.Input(input));
        RenderedPrompt rendered;
        try
        {
            rendered = template.Render(messages, think: think);
        }
        catch (ArgumentException e)
        {
            throw new CliException(Protocol.ErrorText.Plain(e));
        }
        int[] tokens = PromptEncoder.Encode(tokenizer, rendered, addBos: tokenizer.AddBos);

        using var model = TransformerModel.Load(file, modelArgs.ToOptions());
        var generator = new TextGenerator(model, tokenizer);
        var settings = new GenerationSettings
        {
            Sampling = sampling,
            MaxTokens = maxTokens,
            StopStrings = [.. template.DefaultStopStrings, .. stops],
            HideThinking = template.HasThinking && !think,
            Constraint = constraint,
        };

        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
        Console.CancelKeyPress += onCancel;
        var stdout = new StandardOutput();
        GenerationResult result;
        try
        {
            // A closed stdout (| head) stops the generation: nobody would see the rest.
            result = generator.Generate(tokens, settings, piece => { if (!stdout.Write(piece)) cancel.Cancel(); }, cancel.Token);
        }
        catch (PromptTooLongException e)
        {
            throw new CliException(e.Message);
        }
        catch (Core.Sampling.Grammar.GrammarException e)
        {
            throw new CliException($"grammar: {e.Message}");
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
        stdout.Write(Environment.NewLine);
        Console.Error.WriteLine(
            $"[{template.Name} template, {result.PromptTokens} prompt tokens at {result.PromptTokensPerSecond:F1} tok/s, " +
            $"{result.GeneratedTokens} tokens at {result.TokensPerSecond:F1} tok/s, finish: {result.FinishReason.ToWireName()}, {(sampling.IsGreedy ? "greedy" : $"seed {sampling.Seed?.ToString() ?? "random"}")}]");
        return stdout.IsClosed ? 1 : 0;
    }
}
