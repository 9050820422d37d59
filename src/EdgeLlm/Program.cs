using EdgeLlm.Commands;
using EdgeLlm.Core.Gguf;

namespace EdgeLlm;

public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            // "edgellm help run" is "edgellm run --help".
            string? usage = args.Length > 1 ? CommandHelp.For(args[1]) : null;
            (args.Length == 0 ? Console.Error : Console.Out).WriteLine(usage is null ? CommandHelp.Overview : $"usage: {usage}");
            return args.Length == 0 ? 2 : 0;
        }
        if (args[0] is "--version" or "version")
        {
            Console.WriteLine(CommandHelp.Version());
            return 0;
        }

        string[] rest = args[1..];
        if (CommandHelp.For(args[0]) is { } commandUsage && CommandHelp.Asked(rest))
        {
            Console.WriteLine($"usage: {commandUsage}");
            return 0;
        }
        try
        {
            return args[0] switch
            {
                "info" => InfoCommand.Run(rest),
                "tokenize" => TokenizeCommand.Run(rest),
                "eval" => EvalCommand.Run(rest),
                "run" => RunCommand.Run(rest),
                "synth" => SynthCommand.Run(rest),
                "bench" => BenchCommand.Run(rest),
                "selftest" => SelftestCommand.Run(rest),
                "serve" => Hosting.ServeCommand.Run(rest),
                "ask" => AskCommand.Run(rest),
                "status" => StatusCommand.Run(rest),
                "pull" => PullCommand.Run(rest),
                "list" => ListCommand.Run(rest),
                "rm" => RmCommand.Run(rest),
                _ => throw new CliException($"unknown command '{args[0]}'\n{CommandHelp.Overview}"),
            };
        }
        catch (Exception e) when (e is CliException or GgufException or NotSupportedException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
        catch (Exception e)
        {
            // Last line of defence: a message, never a stack trace.
            Console.Error.WriteLine($"error: internal error ({e.GetType().Name}): {e.Message}");
            return 1;
        }
    }
}
