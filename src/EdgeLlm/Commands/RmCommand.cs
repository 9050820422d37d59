using EdgeLlm.Models;

namespace EdgeLlm.Commands;

/// <summary>
/// <c>edgellm rm NAME [--models-dir D] [--weight-cache D]</c>: deletes a model from the store, with its interleaved
/// weight cache and any incomplete download of it.
/// </summary>
internal static class RmCommand
{
    public static int Run(string[] args)
    {
        var a = new ArgReader(args, new HashSet<string>());
        var store = ModelStore.Open(a.Get("models-dir"));
        string? weightCache = Config.WeightCacheLocation.Resolve(a.Get("weight-cache"));
        var positionals = a.Positionals;
        a.RejectUnknown();
        if (positionals.Count != 1) throw new CliException("usage: edgellm rm NAME [--models-dir D] [--weight-cache D]");

        string name;
        try
        {
            name = ModelName.Require(positionals[0]);
        }
        catch (ArgumentException e)
        {
            throw new CliException(e.Message);
        }
        IReadOnlyList<string> deleted;
        try
        {
            deleted = store.Remove(name, weightCache);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot delete {name} from {store.Directory}: {e.Message}");
        }
        if (deleted.Count == 0) throw new CliException($"no model named '{name}' in {store.Directory} (see edgellm list)");
        foreach (string path in deleted) Console.WriteLine($"deleted {path}");
        return 0;
    }
}
