using EdgeLlm.Commands;
using EdgeLlm.Core.Gguf;

namespace EdgeLlm;

public static class Program
{
    private const string Usage = """
        usage: edgellm <command> [options]

        commands:
          info <model.gguf> [--json]      what a model file holds
          selftest                        CPU features and kernel/fixture checks
        """;

    public static int Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }

        string[] rest = args[1..];
        try
        {
            return args[0] switch
            {
                "info" => InfoCommand.Run(rest),
                "selftest" => SelftestCommand.Run(rest),
                _ => throw new CliException($"unknown command '{args[0]}'\n{Usage}"),
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
